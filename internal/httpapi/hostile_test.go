package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestDecodeRejectsNonObjects: decode says "false means it is not a result
// object", so a stored value that is JSON but not an object must not be
// served as a result (a JSON null would otherwise show up in /results as
// null, and in the CSV as a row of zeros).
func TestDecodeRejectsNonObjects(t *testing.T) {
	for _, raw := range []string{`null`, ` null `, `[]`, `"x"`, `1`, `true`, ``, `{`} {
		if r, ok := decode(json.RawMessage(raw)); ok {
			t.Errorf("decode(%q) = %+v, true; want false", raw, r)
		}
	}
	if _, ok := decode(json.RawMessage(`{"id":"1-0","ok":true}`)); !ok {
		t.Errorf("decode of a result object = false; want true")
	}
}

// TestEmptyParameterNameIsNamed: a query with a parameter of empty name
// ("/results?=1") must get a 400 that says what is wrong, either naming
// the parameter or calling the query malformed, not ": unknown parameter".
func TestEmptyParameterNameIsNamed(t *testing.T) {
	f := newFixture(t, Config{})
	for _, path := range []string{"/results?=", "/results?=1", "/stats?limit=1&=x", "/healthz?="} {
		resp, body := f.get(t, path, "")
		var e errorBody
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s: body %q: %v", path, body, err)
		}
		if resp.StatusCode != http.StatusBadRequest || strings.HasPrefix(e.Error, ":") ||
			(e.Param == "" && !strings.HasPrefix(e.Error, "query: ")) {
			t.Errorf("%s: got %d %+v; want 400 naming the empty parameter or the malformed query", path, resp.StatusCode, e)
		}
	}
}

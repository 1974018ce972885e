package check

import (
	"context"
	"testing"
)

func TestParseAccept(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String of the result
		wantErr string
	}{
		{in: "200..299,403,429", want: "200..299,403,429"},
		{in: " 200 .. 299 , 403 ", want: "200..299,403"},
		{in: "200..=204", want: "200..204"},
		{in: "403,200..399", want: "200..399,403"},
		{in: "200..250,240..299,300", want: "200..300"},
		{in: "100..999", want: "100..999"},
		{in: "999", want: "999"},
		{in: "204..204", want: "204"},
		{in: "20x", wantErr: `accept: "20x" is not a status code or range`},
		{in: "200..", wantErr: `accept: "200.." is not a status code or range`},
		{in: "..299", wantErr: `accept: "..299" is not a status code or range`},
		{in: "200...299", wantErr: `accept: "200...299" is not a status code or range`},
		{in: "-1", wantErr: `accept: "-1" is not a status code or range`},
		{in: "+200", wantErr: `accept: "+200" is not a status code or range`},
		{in: "99", wantErr: `accept: "99" is outside 100..999`},
		{in: "200..1000", wantErr: `accept: "200..1000" is outside 100..999`},
		{in: "299..200", wantErr: `accept: range "299..200" ends before it starts`},
		{in: "", wantErr: "accept: empty item"},
		{in: "200,", wantErr: "accept: empty item"},
		{in: "200,,300", wantErr: "accept: empty item"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAccept(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("ParseAccept(%q) error = %v; want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Errorf("ParseAccept(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestAcceptContains(t *testing.T) {
	a, err := ParseAccept("200..299,403")
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[int]bool{
		-1: false, 0: false, 199: false, 200: true, 250: true, 299: true, 300: false,
		403: true, 404: false, 999: false, 1000: false, 1 << 20: false,
	} {
		if got := a.Contains(code); got != want {
			t.Errorf("Contains(%d) = %v; want %v", code, got, want)
		}
	}
	if (Accept{}).Contains(200) {
		t.Errorf("zero Accept contains 200; want empty")
	}
}

func TestCheckAccept(t *testing.T) {
	tests := []struct {
		accept string
		code   int
		ok     bool
		kind   string
	}{
		{"", 200, true, ""},
		{"", 399, true, ""},
		{"", 403, false, KindHTTP4xx},
		{"200..299,403", 403, true, ""},
		{"200", 204, false, KindUnacceptedStatus},
		{"200", 304, false, KindUnacceptedStatus},
		{"200", 404, false, KindHTTP4xx},
		{"200", 503, false, KindHTTP5xx},
		{"200..399,999", 999, true, ""},
		{"", 999, false, KindOther},
	}
	for _, tt := range tests {
		cfg := Config{}
		if tt.accept != "" {
			cfg.Accept = mustParseAccept(tt.accept)
		}
		got := newChecker(t, cfg).Check(context.Background(), statusURL(t, tt.code))
		if got.OK != tt.ok || got.ErrorKind != tt.kind || got.Status != tt.code {
			t.Errorf("Accept %q, status %d: ok, kind, status = %v, %q, %d; want %v, %q, %d",
				tt.accept, tt.code, got.OK, got.ErrorKind, got.Status, tt.ok, tt.kind, tt.code)
		}
		if tt.kind == KindUnacceptedStatus && got.Error != statusMessage(tt.code)+" is not an accepted status" {
			t.Errorf("Error = %q; want it to name the status", got.Error)
		}
	}
}

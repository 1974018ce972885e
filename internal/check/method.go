package check

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// method is a parsed Config.Method.
type method struct {
	head     bool // start with HEAD
	fallback bool // and fall back to GET
}

func parseMethod(s string) (method, error) {
	switch strings.ToLower(strings.ReplaceAll(s, " ", "")) {
	case "", DefaultMethod:
		return method{}, nil
	case "head":
		return method{head: true}, nil
	case "head,get":
		return method{head: true, fallback: true}, nil
	}
	return method{}, fmt.Errorf("method %q is not get, head or head,get", s)
}

// send makes req with method m and, after a HEAD that failed, the GET.
func (c *Checker) send(ctx context.Context, x *exchange, req *http.Request, m method) (*http.Response, error) {
	head := m.head
	var host string
	if m.fallback {
		host = strings.ToLower(req.URL.Host)
		head = !c.memory.HeadBroken(ctx, host)
	}
	if head {
		req.Method = http.MethodHead
	}
	x.restart(req)
	resp, err := c.client.Do(req)
	if !m.fallback || req.Method != http.MethodHead || !headFailed(ctx, resp, err) {
		return resp, err
	}
	return c.getAfterHead(ctx, x, req, host, resp)
}

// headFailed reports whether a HEAD's outcome suggests that the server
// mishandles HEAD: a status servers give to methods they do not support,
// or a connection closed without a response. Past the deadline a GET
// could not do better.
func headFailed(ctx context.Context, resp *http.Response, err error) bool {
	if err != nil {
		return ctx.Err() == nil && classify(err) == KindReset
	}
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return true
	}
	return false
}

// getAfterHead replaces a failed HEAD by a GET, and marks host in the memory
// if the GET got a different answer: HEAD was the problem, not the URL.
func (c *Checker) getAfterHead(ctx context.Context, x *exchange, head *http.Request, host string,
	headResp *http.Response) (*http.Response, error) {
	headStatus := 0
	if headResp != nil {
		headStatus = headResp.StatusCode
		headResp.Body.Close()
	}
	get := head.WithContext(ctx) // a shallow copy, sharing the header map
	get.Method = http.MethodGet
	x.restart(get)
	resp, err := c.client.Do(get)
	if err == nil && resp.StatusCode != headStatus {
		c.memory.MarkHeadBroken(ctx, host)
	}
	return resp, err
}

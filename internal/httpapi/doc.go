// Package httpapi serves a run over HTTP. Every answer but the dashboard
// page is JSON unless a format says otherwise; every error is
// {"error": "...", "param": "..."}, param naming the query parameter at
// fault when there is one.
//
// Endpoints, all GET:
//
//	/healthz             200 while the process runs; needs no token
//	/readyz              200 when Redis answers, else 503
//	/stats               the run's progress (progress.Report); 503 without Redis
//	/results             results, newest first; see below
//	/results/failed.csv  every failed result of the run as CSV, newest first
//	/metrics             Prometheus text format, read from Redis at each scrape
//	/                    the dashboard page, which holds no data; needs no token
//
// With a token configured, every endpoint but /healthz and / wants
// "Authorization: Bearer <token>" and answers 401 otherwise. Unknown and
// repeated query parameters are rejected with 400.
//
// # Results
//
// GET /results takes limit (1..10000, default 100), cursor, ok
// (true|false), status (an HTTP status, or 0 for no response), error_kind
// (a check.Kind* value), host (the checked URL's host, exactly, any case)
// and format (json, the default, as a JSON array; jsonl, one object a line;
// csv, with a header row).
//
// The body is the page alone, so that "GET /results?limit=N returns the
// newest N results as a JSON array" holds; paging travels in headers:
//
//	X-Next-Cursor      pass it as cursor to get the next, older page;
//	                   absent once the oldest result was reached
//	X-Scan-Truncated   "true" when the page stopped at the scan limit
//	                   (50,000 entries examined) rather than at limit
//	                   matches: it may be short or empty although older
//	                   matches exist, so follow X-Next-Cursor
//	X-Results-Stream   "failed" or "feed": which stream was read
//
// A cursor is a stream id, and stream ids are never reused, so paging does
// not repeat or skip a result while new ones arrive: they join at the
// newest end, above the first page. ok=false and error_kind read the
// failed stream, complete for the run; everything else reads the feed,
// which keeps only the newest RESULTS_TO_KEEP results: a page older than
// that is gone. Filters apply while the stream is walked in chunks.
//
// To send the cursor in a header before the body, a request walks its
// span of the stream twice, once to find where the page ends and once to
// stream it, never holding more than a chunk of results in memory.
package httpapi

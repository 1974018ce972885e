package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/urlcheck/url-checker/internal/progress"
	"github.com/urlcheck/url-checker/internal/queue"
)

// Config configures a Server. Zero values mean the documented default.
type Config struct {
	// Token, when set, must come as "Authorization: Bearer <token>" on
	// every request but GET /healthz and the dashboard page, which holds
	// no data. Empty means no authentication.
	Token string
	// Lease decides which workers count as alive; default 30s.
	Lease time.Duration
	// RateWindow is the span of the sliding window the rate is measured
	// over; default 10s.
	RateWindow time.Duration
	// SampleInterval is how often Run samples the run for the rate;
	// default 1s.
	SampleInterval time.Duration
	// ScanLimit is the most stream entries one GET /results examines
	// while filtering; default 50,000.
	ScanLimit int
	// Chunk is how many stream entries one Redis read returns; default
	// 500.
	Chunk int
	// RedisTimeout bounds the snapshot, ping and set-up reads; default
	// 5s. The stream reads of /results rely on the client's read timeout.
	RedisTimeout time.Duration
	// WriteTimeout is the time allowed to write a response, renewed for
	// every chunk of a streamed one; default 30s.
	WriteTimeout time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (c *Config) setDefaults() error {
	if c.Lease < 0 || c.RateWindow < 0 || c.SampleInterval < 0 || c.ScanLimit < 0 || c.Chunk < 0 ||
		c.RedisTimeout < 0 || c.WriteTimeout < 0 {
		return errors.New("httpapi: negative setting in Config")
	}
	def := func(p *time.Duration, d time.Duration) {
		if *p == 0 {
			*p = d
		}
	}
	def(&c.Lease, 30*time.Second)
	def(&c.SampleInterval, time.Second)
	def(&c.RedisTimeout, 5*time.Second)
	def(&c.WriteTimeout, 30*time.Second)
	if c.ScanLimit == 0 {
		c.ScanLimit = 50_000
	}
	if c.Chunk == 0 {
		c.Chunk = 500
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// Server answers the API's requests. It is safe for concurrent use.
type Server struct {
	q   *queue.Lazy
	cfg Config
	win *progress.Window
	log *slog.Logger
}

// New returns a Server that reads the run through q.
func New(q *queue.Lazy, cfg Config) (*Server, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	return &Server{q: q, cfg: cfg, win: progress.NewWindow(cfg.RateWindow), log: cfg.Logger}, nil
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	auth := s.requireToken
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /readyz", auth(s.readyz))
	mux.Handle("GET /stats", auth(s.stats))
	mux.Handle("GET /results", auth(s.results))
	mux.Handle("GET /results/failed.csv", auth(s.failedCSV))
	mux.Handle("GET /metrics", auth(s.metrics()))
	mux.HandleFunc("GET /{$}", s.dashboard)
	return securityHeaders(mux)
}

// Run samples the run every SampleInterval, so the rate is known even
// when nobody asks for /stats, until ctx is done. It returns nil then.
func (s *Server) Run(ctx context.Context) error {
	tick := time.NewTicker(s.cfg.SampleInterval)
	defer tick.Stop()
	for {
		if _, err := s.sample(ctx); err != nil && ctx.Err() == nil {
			s.log.Debug("sample progress", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// sample reads a snapshot and adds it to the rate window.
func (s *Server) sample(ctx context.Context) (queue.Stats, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RedisTimeout)
	defer cancel()
	st, err := s.q.Stats(ctx)
	if err != nil {
		return queue.Stats{}, err
	}
	s.win.Add(st.RunID, st.Now, st.Done)
	return st, nil
}

// NewHTTPServer returns an http.Server for h on addr with timeouts that
// keep slow or idle clients from holding connections: headers within 5s,
// the (small) request within 10s, the response within writeTimeout
// (handlers that stream renew it per chunk), idle keep-alives for 2
// minutes. Zero writeTimeout means 30s.
func NewHTTPServer(addr string, h http.Handler, writeTimeout time.Duration, log *slog.Logger) *http.Server {
	if writeTimeout <= 0 {
		writeTimeout = 30 * time.Second
	}
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if _, ok := params(w, r); !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if _, ok := params(w, r); !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RedisTimeout)
	defer cancel()
	q, err := s.q.Get(ctx)
	if err == nil {
		err = q.Ping(ctx)
	}
	if err != nil {
		s.unavailable(w, "readyz", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	if _, ok := params(w, r); !ok {
		return
	}
	st, err := s.sample(r.Context())
	if err != nil {
		s.unavailable(w, "stats", err)
		return
	}
	rate, known := s.win.Rate()
	writeJSON(w, http.StatusOK, progress.NewReport(st, rate, known, s.cfg.Lease))
}

// unavailable answers 503 for a Redis failure; the details go to the log.
func (s *Server) unavailable(w http.ResponseWriter, op string, err error) {
	s.log.Warn("redis unavailable", "op", op, "err", err)
	writeError(w, http.StatusServiceUnavailable, fmt.Errorf("redis unavailable"), "")
}

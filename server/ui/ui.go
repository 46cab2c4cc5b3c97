// Package ui is crosscast's editor UI: server-rendered pages behind a
// session cookie (sign-in, the inbox, an item's page with a tab per
// channel and the editor's actions, the writer's editor with live draft
// previews, version diffs, admin), the signed sandboxed previews those
// pages frame, the queue monitor for admins, and the local preview
// `crosscast preview` serves. One file per page or action; handlers
// return their error and one adapter writes it as an error page (or as
// JSON, for the endpoints the pages' scripts call).
package ui

import (
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// Config holds the UI's parts.
type Config struct {
	Store   *store.DB // reads, sessions and settings
	Service *app.Service
	Logger  *slog.Logger
	// QueueMonitor is mounted at /admin/queues for admins; nil leaves it out.
	QueueMonitor http.Handler
	// MaxUpload bounds an editor form's or brand kit's request body.
	MaxUpload int64
	// Sites says the published sites are served at /sites/<brand>/, so
	// pages link to the local copy.
	Sites bool
	// Version is the build's version, shown in the footer; "" leaves it out.
	Version string
}

// UI serves the editor's pages.
type UI struct {
	db        *store.DB
	svc       *app.Service
	log       *slog.Logger
	maxUpload int64
	sites     bool
	version   string
	monitor   http.Handler
	pages     map[string]*template.Template
	logins    *loginLimiter
	tests     *web.KeyedLimiter // "Send a test to me", per user
	auth      *web.Auth
	jsonErr   web.ErrorFunc // for the endpoints scripts and frames call
	drafts    drafts

	keyMu      sync.Mutex
	previewKey []byte
}

// New returns the UI.
func New(cfg Config) *UI {
	ui := &UI{db: cfg.Store, svc: cfg.Service, log: cfg.Logger, maxUpload: cfg.MaxUpload, monitor: cfg.QueueMonitor,
		sites: cfg.Sites, version: cfg.Version,
		logins: newLoginLimiter(), tests: web.NewKeyedLimiter(20*time.Second, 3, 1000)}
	if ui.log == nil {
		ui.log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		panic(err) // the templates are embedded: a parse error is a build bug
	}
	ui.pages = pages
	ui.jsonErr = web.JSONErrors(ui.log)
	ui.auth = web.NewAuth(cfg.Store, ui.jsonErr)
	return ui
}

// Register adds the UI's routes to mux.
func (ui *UI) Register(mux *http.ServeMux) {
	writer := func(h web.Handler) http.Handler { return ui.page(store.RoleWriter, ui.htmlErrors(h)) }
	editor := func(h web.Handler) http.Handler { return ui.page(store.RoleEditor, ui.htmlErrors(h)) }
	admin := func(h web.Handler) http.Handler { return ui.page(store.RoleAdmin, ui.htmlErrors(h)) }
	if ui.monitor != nil {
		mux.Handle("/admin/queues/", ui.withMonitorHeaders("/admin/queues/", ui.monitor, ui.adminPages(withBackLink("/admin/queues/", ui.monitor))))
	}
	mux.Handle("GET /static/", staticFiles())
	mux.Handle("GET /favicon.ico", http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently))
	mux.Handle("GET /login", ui.htmlErrors(ui.login))
	mux.Handle("POST /login", ui.htmlErrors(ui.login))
	mux.Handle("POST /logout", ui.htmlErrors(ui.logout))
	mux.Handle("GET /{$}", writer(ui.inbox))
	mux.Handle("GET /items/{id}", writer(ui.itemPage))
	mux.Handle("POST /items/{id}/publish", editor(ui.publish))
	mux.Handle("POST /items/{id}/cancel", editor(ui.cancel))
	mux.Handle("POST /items/{id}/unpublish", editor(ui.unpublish))
	mux.Handle("POST /items/{id}/rerender", editor(ui.rerender))
	mux.Handle("POST /items/{id}/test-send", editor(ui.testSend))
	mux.Handle("POST /items/{id}/resolve", editor(ui.resolve))
	mux.Handle("GET /preview/{sig}/{id}/{version}/{channel}/{file...}", web.Wrap(ui.preview, ui.jsonErr))
	mux.Handle("GET /subscribers", editor(ui.subscribersHome))
	mux.Handle("GET /subscribers/{brand}", editor(ui.subscribers))
	mux.Handle("POST /subscribers/{brand}", admin(ui.changeSubscribers))
	mux.Handle("GET /subscribers/{brand}/export.csv", admin(ui.exportSubscribers))
	mux.Handle("GET /admin", admin(ui.admin))
	mux.Handle("POST /admin", admin(ui.admin))
	mux.Handle("GET /admin/sources", admin(ui.adminSources))
	mux.Handle("POST /admin/sources", admin(ui.adminSources))
	mux.Handle("GET /new", writer(ui.newItem))
	mux.Handle("POST /new", writer(ui.newItem))
	mux.Handle("GET /items/{id}/edit", writer(ui.editItem))
	mux.Handle("GET /items/{id}/diff", writer(ui.itemDiff))
	mux.Handle("POST /items/{id}/edit", writer(ui.editItem))
	mux.Handle("POST /drafts", ui.page(store.RoleWriter, web.Wrap(ui.previewDraft, ui.jsonErr)))
	mux.Handle("GET /draft/{sig}/{id}/{channel}/{file...}", web.Wrap(ui.draftFile, ui.jsonErr))
	mux.Handle("POST /items/{id}/experiment/pick", editor(ui.pickWinner))
	mux.Handle("POST /items/{id}/experiment/stop", editor(ui.stopExperiment))
	mux.Handle("GET /analytics", writer(ui.analyticsHome))
	mux.Handle("GET /analytics/{brand}", writer(ui.brandAnalytics))
	mux.Handle("GET /analytics/{brand}/export.csv", writer(ui.exportBrandAnalytics))
	mux.Handle("GET /items/{id}/analytics", writer(ui.itemAnalytics))
	mux.Handle("GET /items/{id}/analytics.csv", writer(ui.exportItemAnalytics))
}

// Package api is crosscast's JSON API, which writers' tools and scripts
// call with an API token: submitting items and following their
// renderings, publishing, the delivery ledger and clicks, subscribers,
// and brand indexes. One file per action; every handler returns its
// error and web writes it as JSON.
package api

import (
	"log/slog"
	"net/http"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// Config holds the API's parts.
type Config struct {
	Store   *store.DB // reads
	Service *app.Service
	Logger  *slog.Logger
	// MaxUpload bounds a submission's request body.
	MaxUpload int64
}

// API serves /api/.
type API struct {
	db        *store.DB
	svc       *app.Service
	maxUpload int64
	onErr     web.ErrorFunc
	auth      *web.Auth
}

// New returns the API.
func New(cfg Config) *API {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	onErr := web.JSONErrors(log)
	return &API{db: cfg.Store, svc: cfg.Service, maxUpload: cfg.MaxUpload, onErr: onErr, auth: web.NewAuth(cfg.Store, onErr)}
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	writer := func(h web.Handler) http.Handler { return a.auth.Token(store.RoleWriter, h) }
	editor := func(h web.Handler) http.Handler { return a.auth.Token(store.RoleEditor, h) }
	mux.Handle("POST /api/items", writer(a.createItem))
	mux.Handle("GET /api/items", writer(a.listItems))
	mux.Handle("GET /api/items/{id}", writer(a.getItem))
	mux.Handle("GET /api/items/{id}/renderings/{channel}/{file...}", writer(a.getRenderingFile))
	mux.Handle("POST /api/items/{id}/publish", editor(a.publishItem))
	mux.Handle("POST /api/items/{id}/cancel", editor(a.cancelItem))
	mux.Handle("POST /api/items/{id}/unpublish", editor(a.unpublishItem))
	mux.Handle("GET /api/items/{id}/deliveries", writer(a.getDeliveries))
	mux.Handle("GET /api/items/{id}/clicks", writer(a.getClicks))
	mux.Handle("GET /api/items/{id}/audience", writer(a.getAudience))
	mux.Handle("POST /api/deliveries/resolve", editor(a.resolveDelivery))
	admin := func(h web.Handler) http.Handler { return a.auth.Token(store.RoleAdmin, h) }
	mux.Handle("POST /api/brands/{id}/subscribers", admin(a.addSubscriber))
	mux.Handle("GET /api/brands/{id}/subscribers", admin(a.listSubscribers))
	mux.Handle("POST /api/brands/{id}/subscribers/import", admin(a.importSubscribers))
	mux.Handle("GET /api/brands/{id}/subscribers.csv", admin(a.exportSubscribers))
	mux.Handle("GET /api/brands/{id}/subscribers/{address}", admin(a.getSubscriber))
	mux.Handle("PATCH /api/brands/{id}/subscribers/{address}", admin(a.updateSubscriber))
	mux.Handle("DELETE /api/brands/{id}/subscribers/{address}", admin(a.eraseSubscriber))
	mux.Handle("GET /api/users", admin(a.listUsers))
	mux.Handle("PATCH /api/users/{name}", admin(a.updateUser))
	mux.Handle("DELETE /api/users/{name}", admin(a.deleteUser))
	mux.Handle("DELETE /api/tokens/{id}", admin(a.revokeToken))
	mux.Handle("GET /api/brands/{id}/index", writer(a.getBrandIndex))
	mux.Handle("GET /api/brands/{id}/index/{file...}", writer(a.getBrandIndexFile))
	mux.Handle("GET /api/items/{id}/experiments", writer(a.getExperiments))
	mux.Handle("POST /api/items/{id}/experiment/pick", editor(a.pickWinner))
	mux.Handle("POST /api/items/{id}/experiment/stop", editor(a.stopExperiment))
	mux.Handle("/api/", web.Wrap(func(http.ResponseWriter, *http.Request) error { return web.ErrNoRoute }, a.onErr))
}

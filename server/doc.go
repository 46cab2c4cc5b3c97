// Package server will serve the writers' JSON API, the editor UI and the
// operational endpoints. Empty until the pipeline issue lands.
package server

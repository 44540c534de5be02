package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"syscall"

	"github.com/gin-gonic/gin"
	"github.com/threadmap/threadmap/store"
)

// Error codes: stable, part of the API contract (docs/API.md).
const (
	CodeBadRequest   ErrorCode = "bad_request"
	CodeNotFound     ErrorCode = "not_found"
	CodeUnauthorized ErrorCode = "unauthorized"
	CodeForbidden    ErrorCode = "forbidden"
	CodeConflict     ErrorCode = "conflict"
	CodeTooLarge     ErrorCode = "too_large"
	CodeUnavailable  ErrorCode = "unavailable"
	CodeInternal     ErrorCode = "internal"
	CodeMethod       ErrorCode = "method_not_allowed"
	CodeStorage      ErrorCode = "insufficient_storage"
)

// apiError is an error with its HTTP status and code.
type apiError struct {
	Status  int
	Code    ErrorCode
	Message string
}

func (e *apiError) Error() string { return e.Message }

func badRequest(msg string) *apiError { return &apiError{http.StatusBadRequest, CodeBadRequest, msg} }
func notFound(msg string) *apiError   { return &apiError{http.StatusNotFound, CodeNotFound, msg} }
func unavailable(msg string) *apiError {
	return &apiError{http.StatusServiceUnavailable, CodeUnavailable, msg}
}

// storeFailure is the answer to a failed store write: 400 for a snapshot
// the store refuses (store.ErrInvalid), 507 insufficient_storage for a
// full disk, 500 internal for anything else — the server's fault, said
// plainly, and logged.
func storeFailure(what string, err error) error {
	switch {
	case errors.Is(err, store.ErrInvalid):
		return badRequest(what + ": " + err.Error())
	case errors.Is(err, syscall.ENOSPC):
		return &apiError{http.StatusInsufficientStorage, CodeStorage,
			what + ": the server's disk is full; the snapshot was not stored (earlier snapshots are kept): " + err.Error()}
	}
	return &apiError{http.StatusInternalServerError, CodeInternal,
		what + ": storing the snapshot failed on the server; it was not stored (earlier snapshots are kept): " + err.Error()}
}

// abort answers err as JSON: apiError as given, store.ErrNotFound as 404,
// a too-large body as 413, anything else as 500 (and logged).
func (s *Server) abort(c *gin.Context, err error) {
	var ae *apiError
	var mbe *http.MaxBytesError
	var fe *FieldError
	switch {
	case errors.As(err, &ae):
		if ae.Status >= 500 {
			s.log.Error("server error", "method", c.Request.Method, "path", c.Request.URL.Path, "status", ae.Status, "error", ae.Message)
		}
	case errors.As(err, &fe):
		ae = badRequest(fe.Error())
	case errors.Is(err, store.ErrNotFound):
		ae = notFound(err.Error())
	case errors.As(err, &mbe):
		ae = &apiError{http.StatusRequestEntityTooLarge, CodeTooLarge, "request body larger than " + itoa(mbe.Limit) + " bytes"}
	default:
		s.log.Error("internal error", "method", c.Request.Method, "path", c.Request.URL.Path, "error", err)
		ae = &apiError{http.StatusInternalServerError, CodeInternal, "internal error (see the server log)"}
	}
	b := ErrorBody{Error: ErrorDetail{Code: ae.Code, Message: ae.Message}}
	c.Abort()
	writeJSON(c, ae.Status, b)
}

// writeJSON writes v as compact JSON (HTML characters not escaped).
func writeJSON(c *gin.Context, status int, v any) {
	b, err := encodeJSON(v)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(status, "application/json; charset=utf-8", b)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

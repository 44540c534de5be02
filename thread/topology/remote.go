package topology

import (
	"net/url"
	"strings"
	"unicode"
)

// ShortText is text from a peer (a device's name, a server's error
// detail) as threadmap shows it: control and other non-printable
// characters become spaces, runs of spaces one, and it is cut to max
// characters with an ellipsis.
func ShortText(s string, max int) string {
	var b strings.Builder
	n, space := 0, true
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
				n++
			}
			space = true
			continue
		}
		if n >= max {
			return strings.TrimRight(b.String(), " ") + "…"
		}
		b.WriteRune(r)
		n++
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// RedactURL is raw with any userinfo (user, password) replaced by "***":
// "http://admin:pw@host:8081" becomes "http://***@host:8081". Source
// targets (SourceReport.Target), ids, logs and API answers carry this
// form; only the configuration keeps the credentials. A string that is
// not such a URL comes back unchanged.
func RedactURL(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	return raw[:i+3] + "***" + rest[at:]
}

// Redacted reports whether raw is a URL whose userinfo RedactURL replaced.
func Redacted(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return false
	}
	_, hasPassword := u.User.Password()
	return u.User.Username() == "***" && !hasPassword
}

// RedactIn is msg (an error message that may name rawURL, as net/http's do
// with the user name left in) with rawURL's userinfo replaced by "***".
func RedactIn(msg, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return msg
	}
	name := u.User.Username()
	for _, form := range []string{u.User.String() + "@", name + ":***@", url.PathEscape(name) + ":***@", name + "@"} {
		if form != "@" {
			msg = strings.ReplaceAll(msg, form, "***@")
		}
	}
	return msg
}

// RedactedError is an error whose message has a URL's credentials taken
// out (RedactIn); errors.Is and As still see the error it wraps.
type RedactedError struct {
	Err error
	URL string
}

func (e *RedactedError) Error() string { return RedactIn(e.Err.Error(), e.URL) }

// Unwrap is the error with the credentials.
func (e *RedactedError) Unwrap() error { return e.Err }

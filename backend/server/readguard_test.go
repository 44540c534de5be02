package server

import (
	"testing"
)

// TestReadsBeyondLoopbackNeedTheToken is issue 13's reproducer 1 (second
// half): beyond loopback anyone could read the API (settings, scans,
// metrics, snapshots) without the token. Now every API read needs it too
// (Authorization: Bearer, or the threadmap_token cookie for the browser's
// event stream) unless PublicRead says reading is public; the UI's page
// itself loads without it, and loopback is as before.
func TestReadsBeyondLoopbackNeedTheToken(t *testing.T) {
	reads := []string{"/api/v1/info", "/api/v1/networks", "/api/v1/snapshots/1", "/api/v1/scan", "/api/v1/settings", "/metrics", "/api/v1/topology/latest"}
	guarded := newFixture(t, Options{Loopback: false, Token: "s3cret-token-123456"})
	for _, p := range reads {
		code, body, hdr := guarded.do("GET", p, nil)
		if code != 401 || errCode(t, body) != CodeUnauthorized || hdr.Get("WWW-Authenticate") == "" {
			t.Errorf("GET %s beyond loopback without the token: %d %s", p, code, body)
		}
		if code, body, _ := guarded.do("GET", p, nil, "Authorization", "Bearer wrong"); code != 401 {
			t.Errorf("GET %s with a wrong token: %d %s", p, code, body)
		}
		if code, body, _ := guarded.do("GET", p, nil, "Authorization", "Bearer s3cret-token-123456"); code == 401 || code == 403 {
			t.Errorf("GET %s with the token: %d %s", p, code, body)
		}
		if code, body, _ := guarded.do("GET", p, nil, "Cookie", "threadmap_token=s3cret-token-123456"); code == 401 || code == 403 {
			t.Errorf("GET %s with the token cookie: %d %s", p, code, body)
		}
	}
	if code, body, _ := guarded.do("GET", "/", nil); code != 200 {
		t.Errorf("the UI page beyond loopback: %d %s", code, body)
	}
	// A mutating request does not take the cookie (a page on another
	// site could make the browser send it).
	if code, body, _ := guarded.do("DELETE", "/api/v1/snapshots/1", nil, "Cookie", "threadmap_token=s3cret-token-123456"); code != 401 {
		t.Errorf("DELETE with only the cookie: %d %s", code, body)
	}
	public := newFixture(t, Options{Loopback: false, Token: "s3cret-token-123456", PublicRead: true})
	local := newFixture(t, Options{Loopback: true})
	for _, p := range reads {
		for name, f := range map[string]*fixture{"public-read": public, "loopback": local} {
			if code, body, _ := f.do("GET", p, nil); code == 401 || code == 403 {
				t.Errorf("%s: GET %s without a token: %d %s", name, p, code, body)
			}
		}
	}
	if code, _, _ := public.do("DELETE", "/api/v1/snapshots/1", nil); code != 401 {
		t.Errorf("public-read: DELETE without the token: %d", code)
	}
}

package otbrsimtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/threadmap/threadmap/thread/otbr"
)

// WebGUIPlan is the baseline the OTBR benchmarks compare threadmap's REST
// plan with: the task plan of OpenThread Border Router's own web GUI
// (ot-br-posix src/web/web-service/frontend/res/js/app.js, 2026-08, the
// Topology panel), done the way the page does it:
//
//  1. updateDeviceCollectionTask {maxAge 30, maxRetries 5, deviceCount 16,
//     timeout 15}; first status poll after 200 ms, then every 500 ms; a
//     stopped task is posted again, at most twice more;
//  2. GET /api/node, GET /api/devices, DELETE /api/diagnostics;
//  3. for every device whose role is not "child", all at once: a
//     getNetworkDiagnosticTask {types [extAddress, rloc16, routerNeighbors,
//     route, childTable], timeout 10}, polled after a random 0–250 ms,
//     then every 500 ms; a stopped task is posted again, at most twice more;
//  4. GET /api/diagnostics.
//
// It returns how many diagnostics items the last GET held. Sleeps are the
// page's own pacing (it has nothing else to wait on).
func WebGUIPlan(ctx context.Context, baseURL string) (int, error) {
	c := &guiClient{base: baseURL}
	if err := c.untilDone(ctx, `{"data":[{"type":"updateDeviceCollectionTask","attributes":{"maxAge":30,"maxRetries":5,"deviceCount":16,"timeout":15}}]}`,
		200*time.Millisecond); err != nil {
		return 0, fmt.Errorf("web GUI plan, device collection: %w", err)
	}
	if _, err := c.do(ctx, http.MethodGet, "/api/node", nil); err != nil {
		return 0, err
	}
	b, err := c.do(ctx, http.MethodGet, "/api/devices", nil)
	if err != nil {
		return 0, err
	}
	var devices []struct {
		ExtAddress string `json:"extAddress"`
		Role       string `json:"role"`
	}
	if err := json.Unmarshal(b, &devices); err != nil {
		return 0, fmt.Errorf("web GUI plan, /api/devices: %w", err)
	}
	if _, err := c.do(ctx, http.MethodDelete, "/api/diagnostics", nil); err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(devices))
	for _, d := range devices {
		if d.Role == "child" {
			continue
		}
		wg.Add(1)
		go func(ext string) {
			defer wg.Done()
			task := `{"data":[{"type":"getNetworkDiagnosticTask","attributes":{"destination":"` + ext +
				`","types":["extAddress","rloc16","routerNeighbors","route","childTable"],"timeout":10}}]}`
			if err := c.untilDone(ctx, task, time.Duration(rand.IntN(250))*time.Millisecond); err != nil {
				errs <- fmt.Errorf("web GUI plan, diagnostics of %s: %w", ext, err)
			}
		}(d.ExtAddress)
	}
	wg.Wait()
	close(errs)
	if err, ok := <-errs; ok {
		return 0, err
	}
	b, err = c.do(ctx, http.MethodGet, "/api/diagnostics", nil)
	if err != nil {
		return 0, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return 0, fmt.Errorf("web GUI plan, /api/diagnostics: %w", err)
	}
	return len(items), nil
}

type guiClient struct{ base string }

// do sends one request as the page does (plain JSON answers).
func (c *guiClient) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.api+json")
		req.Header.Set("Accept", "application/vnd.api+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	return b, nil
}

// untilDone posts task and polls it (first after firstPoll, then every
// 500 ms) until it completes; stopped, it is posted again at most twice.
func (c *guiClient) untilDone(ctx context.Context, task string, firstPoll time.Duration) error {
	for retries := 0; ; retries++ {
		b, err := c.do(ctx, http.MethodPost, "/api/actions", []byte(task))
		if err != nil {
			return err
		}
		var posted struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &posted); err != nil || len(posted.Data) != 1 {
			return fmt.Errorf("POST /api/actions: %v: %s", err, b)
		}
		st, err := c.poll(ctx, posted.Data[0].ID, firstPoll)
		if err != nil || st == "completed" || retries == 2 {
			return err
		}
	}
}

func (c *guiClient) poll(ctx context.Context, id string, first time.Duration) (string, error) {
	wait := first
	for {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
		wait = 500 * time.Millisecond
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/actions/"+id, nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("Accept", "application/vnd.api+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return "", err
		}
		acts, err := otbr.DecodeActions(b)
		if err != nil || len(acts) != 1 {
			return "", fmt.Errorf("GET /api/actions/%s: %v", id, err)
		}
		if st := acts[0].Status; st != "pending" && st != "active" {
			return st, nil
		}
	}
}

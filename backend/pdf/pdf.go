// Package pdf prints an HTML page to PDF with a headless Chromium driven
// over the DevTools protocol (chromedp): the report's print CSS, inline SVG
// and fonts come out as the browser prints them, with no second renderer to
// keep in step. It needs a Chromium (or Chrome) on the machine; without one
// it says so and how to get one.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrNoBrowser is returned when no Chromium is found.
var ErrNoBrowser = errors.New("no Chromium or Chrome found")

// candidates are the browser programs looked for, in order.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// FindBrowser returns the browser to print with: the program named by
// THREADMAP_CHROMIUM when getenv gives one, else the first of Chromium or
// Chrome on the machine.
func FindBrowser(getenv func(string) string) (string, error) {
	if getenv != nil {
		if p := getenv("THREADMAP_CHROMIUM"); p != "" {
			if path, err := exec.LookPath(p); err == nil {
				return path, nil
			}
			return "", fmt.Errorf("%w: THREADMAP_CHROMIUM=%s is not a program", ErrNoBrowser, p)
		}
	}
	for _, c := range candidates {
		if path, err := exec.LookPath(c); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w: a PDF is the HTML report printed by a headless Chromium; install one (Debian/Ubuntu: apt-get install chromium) "+
		"or set THREADMAP_CHROMIUM to its path, or write the report as .html and print it from any browser", ErrNoBrowser)
}

// Options tune Print.
type Options struct {
	// Browser is the program (FindBrowser); required.
	Browser string
	// Timeout bounds the whole print (default 60 s).
	Timeout time.Duration
}

// Print loads page (a complete HTML document that fetches nothing) into a
// fresh headless browser and returns it printed as PDF, A4 unless the
// page's print CSS says otherwise, with backgrounds.
func Print(ctx context.Context, htmlDoc []byte, o Options) ([]byte, error) {
	if o.Browser == "" {
		return nil, fmt.Errorf("pdf: %w", ErrNoBrowser)
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	dir, err := os.MkdirTemp("", "threadmap-pdf-")
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	defer os.RemoveAll(dir)
	opts := append(append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...),
		chromedp.ExecPath(o.Browser),
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root inside its sandbox.
		opts = append(opts, chromedp.NoSandbox)
	}
	preferCSS := true
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	err = chromedp.Do(bctx,
		chromedp.Navigate("about:blank"),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
			if err != nil {
				return err
			}
			_, err = cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(htmlDoc)})
			return err
		}),
		chromedp.WaitReady("body"),
	)
	var out []byte
	if err == nil {
		out, err = chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground(),
			func(p *page.PrintToPDFParams) { p.PreferCSSPageSize = &preferCSS }))
	}
	if err != nil {
		return nil, fmt.Errorf("pdf: print with %s: %w", o.Browser, err)
	}
	return out, nil
}

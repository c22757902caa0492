package adminapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// pagedServer serves pages of two objects each, numbering objects across
// pages; block, when set, holds the request for the given page (0-based)
// until the client goes away and reports that on gone.
func pagedServer(t *testing.T, pages int, block int, gone chan<- struct{}) *server {
	var srv *server
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		p := 0
		fmt.Sscanf(r.URL.Query().Get("$skiptoken"), "%d", &p)
		if p == block {
			select {
			case <-r.Context().Done():
				gone <- struct{}{}
			case <-time.After(10 * time.Second):
			}
			return
		}
		next := ""
		if p+1 < pages {
			next = fmt.Sprintf("%s/adminapi/beta/%s/InvokeCommand?$skiptoken=%d", srv.URL, testTenant, p+1)
		}
		writePage(w, []string{fmt.Sprintf(`{"N":%d}`, 2*p), fmt.Sprintf(`{"N":%d}`, 2*p+1)}, next)
	})
	return srv
}

func TestPageAheadFetchesWhileTheConsumerReads(t *testing.T) {
	srv := pagedServer(t, 3, -1, nil)
	c, _, _ := newClient(t, srv, nil)
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox", PageAhead: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Nothing has been read, yet page 2 is requested.
	deadline := time.Now().Add(10 * time.Second)
	for srv.count() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if srv.count() != 2 {
		t.Fatalf("%d requests before the first Next; page-ahead did not fetch page 2", srv.count())
	}
	got, err := drain(t, s)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != fmt.Sprintf(`{"N":%d}`, i) {
			t.Fatalf("object %d is %s", i, v)
		}
	}
	if len(got) != 6 || s.Pages() != 3 || srv.count() != 3 {
		t.Fatalf("%d objects, %d pages, %d requests", len(got), s.Pages(), srv.count())
	}
}

func TestWithoutPageAheadNothingIsFetchedEarly(t *testing.T) {
	srv := pagedServer(t, 3, -1, nil)
	c, _, _ := newClient(t, srv, nil)
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 {
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	if srv.count() != 1 {
		t.Fatalf("%d requests while page 1 is read", srv.count())
	}
}

func TestCloseStopsPageAhead(t *testing.T) {
	gone := make(chan struct{}, 1)
	srv := pagedServer(t, 3, 1, gone)
	c, _, _ := newClient(t, srv, nil)
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox", PageAhead: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	for srv.count() < 2 {
		time.Sleep(time.Millisecond)
	}
	done := s.aheadDone
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	default:
		t.Fatal("Close returned before the page-ahead goroutine ended")
	}
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the request in flight was not canceled")
	}
	if _, err := s.Next(); err != io.EOF {
		t.Fatalf("Next after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestCancelStopsPageAhead(t *testing.T) {
	gone := make(chan struct{}, 1)
	srv := pagedServer(t, 3, 1, gone)
	c, _, _ := newClient(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := c.Invoke(ctx, Request{Cmdlet: "Get-Mailbox", PageAhead: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for srv.count() < 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case <-s.aheadDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the page-ahead goroutine outlived its context")
	}
	// The page already here is still handed out; then the cancellation.
	for range 2 {
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.Next()
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
	if _, again := s.Next(); again != err {
		t.Fatalf("the error is not sticky: %v", again)
	}
}

func TestLaterPageErrorEndsTheStream(t *testing.T) {
	var srv *server
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			writePage(w, []string{`{"N":0}`}, srv.URL+"/adminapi/beta/x/InvokeCommand?$skiptoken=1")
			return
		}
		writeError(w, 400, "BadRequest", "|Exorun.Emulator.BadRequestException|Invalid $skiptoken.")
	})
	c, _, _ := newClient(t, srv, nil)
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := drain(t, s)
	var e *Error
	if len(got) != 1 || !errors.As(err, &e) || e.Code != CodeBadRequest || e.Message != "Invalid $skiptoken." {
		t.Fatalf("%q %v", got, err)
	}
	if c.Stats().Errors[CodeBadRequest] != 1 {
		t.Fatalf("stats %+v", c.Stats())
	}
}

// TestResumeReadsOnUnderANewContext: a stream made under a context that
// ended (a REPL chunk that is over) is read to its end under the next
// one, nothing lost and nothing twice, whether the page ahead had arrived
// or was cut off by the end of the old context.
func TestResumeReadsOnUnderANewContext(t *testing.T) {
	for _, tc := range []struct {
		name      string
		pageAhead bool
		block     int // the page the server holds until the client goes away
	}{
		{"no page ahead", false, -1},
		{"page ahead arrived", true, -1},
		{"page ahead cut off", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gone := make(chan struct{}, 1)
			var blocked atomic.Bool
			var srv *server
			srv = newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				p := 0
				fmt.Sscanf(r.URL.Query().Get("$skiptoken"), "%d", &p)
				if p == tc.block && blocked.CompareAndSwap(false, true) {
					<-r.Context().Done() // only the first request for it
					gone <- struct{}{}
					return
				}
				next := ""
				if p+1 < 3 {
					next = fmt.Sprintf("%s/adminapi/beta/%s/InvokeCommand?$skiptoken=%d", srv.URL, testTenant, p+1)
				}
				writePage(w, []string{fmt.Sprintf(`{"N":%d}`, 2*p), fmt.Sprintf(`{"N":%d}`, 2*p+1)}, next)
			})
			c, _, _ := newClient(t, srv, nil)
			first, cancel := context.WithCancel(context.Background())
			s, err := c.Invoke(first, Request{Cmdlet: "Get-Mailbox", PageAhead: tc.pageAhead})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, err := s.Next(); err != nil || string(v) != `{"N":0}` {
				t.Fatalf("first object %s, %v", v, err)
			}
			if tc.pageAhead {
				for srv.count() < 2 {
					time.Sleep(time.Millisecond)
				}
			}
			cancel()
			if tc.block >= 0 {
				<-gone
			}
			s.Resume(context.Background())
			got, err := drain(t, s)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 5 {
				t.Fatalf("%d objects after the first, want 5: %s", len(got), got)
			}
			for i, v := range got {
				if v != fmt.Sprintf(`{"N":%d}`, i+1) {
					t.Fatalf("object %d is %s", i+1, v)
				}
			}
		})
	}
}

// TestResumeLeavesALiveStreamAlone: while the stream's context lives,
// Resume changes nothing, and a stream cut off by its own end is not
// brought back.
func TestResumeLeavesALiveStreamAlone(t *testing.T) {
	srv := pagedServer(t, 2, -1, nil)
	c, _, _ := newClient(t, srv, nil)
	s, err := c.Invoke(context.Background(), Request{Cmdlet: "Get-Mailbox"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := s.ctx
	s.Resume(context.TODO())
	if s.ctx != ctx {
		t.Fatal("Resume replaced the context of a live stream")
	}
	s.Close()

	// A resumed stream keeps the deadline of its call.
	first, cancel := context.WithCancel(context.Background())
	s, err = c.Invoke(first, Request{Cmdlet: "Get-Mailbox"})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.ctx.Deadline()
	cancel()
	s.Resume(context.Background())
	if after, ok := s.ctx.Deadline(); !ok || !after.Equal(before) {
		t.Errorf("deadline %v after Resume, want the call's %v", after, before)
	}
	s.Close()
	s.Resume(context.TODO())
	if _, err := s.Next(); err != io.EOF {
		t.Fatalf("Next after Close and Resume: %v", err)
	}
}

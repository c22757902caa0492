package store

import (
	"errors"
	"time"

	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

// changed notes that a tenant changed: saved at once without a save
// delay, else soon by the flusher.
func (s *Store) changed(ts *tenant.State) error {
	if s.dir == "" {
		return nil
	}
	if s.saveDelay <= 0 {
		s.saveMu.Lock()
		defer s.saveMu.Unlock()
		return s.save(ts)
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return nil
}

// flusher saves changed tenants a moment after the first change, so a
// burst of writes costs one file write per tenant.
func (s *Store) flusher() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		}
		t := time.NewTimer(s.saveDelay)
		select {
		case <-s.stop:
			t.Stop()
			return
		case <-t.C:
		}
		s.saveMu.Lock()
		err := s.saveAll()
		if err != nil {
			s.saveErr = err
		}
		s.saveMu.Unlock()
	}
}

// Flush writes every changed tenant now. It reports a failure of an
// earlier background save too (once).
func (s *Store) Flush() error {
	if s.dir == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	err := errors.Join(s.saveErr, s.saveAll())
	s.saveErr = nil
	return err
}

// Close stops the background saver and writes every pending change. The
// store refuses calls afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	if s.dir == "" {
		return nil
	}
	close(s.stop)
	<-s.done
	return s.Flush()
}

// saveAll saves the tenants whose version moved since their last save.
// The caller holds saveMu.
func (s *Store) saveAll() error {
	s.mu.RLock()
	list := make([]*tenant.State, 0, len(s.tenants))
	for _, ts := range s.tenants {
		list = append(list, ts)
	}
	s.mu.RUnlock()
	var errs []error
	for _, ts := range list {
		ts.RLock()
		dirty := ts.Version != ts.Saved
		ts.RUnlock()
		if dirty {
			errs = append(errs, s.save(ts))
		}
	}
	return errors.Join(errs...)
}

// save writes one tenant atomically. The caller holds saveMu; the
// tenant's read lock is held while writing, so the file is a consistent
// snapshot.
func (s *Store) save(ts *tenant.State) error {
	ts.RLock()
	defer ts.RUnlock()
	if err := tenant.Save(s.dir, ts.T); err != nil {
		return err
	}
	ts.Saved = ts.Version
	return nil
}

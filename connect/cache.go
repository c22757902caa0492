package connect

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

// fileCache keeps MSAL's token cache in one file, mode 0600. It is off by
// default: an unattended job is better off without tokens on disk.
type fileCache struct {
	path  string
	read  func(string) ([]byte, error)
	write func(string, []byte, fs.FileMode) error
	log   *slog.Logger
}

// Replace loads the file into MSAL's cache. A missing or unreadable file
// is an empty cache, never a failed sign-in.
func (c *fileCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	if c.read == nil {
		return nil
	}
	data, err := c.read(c.path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("token cache unreadable; starting empty", "file", c.path, "error", err)
		}
		return nil
	}
	if err := u.Unmarshal(data); err != nil {
		c.log.Warn("token cache corrupt; starting empty", "file", c.path)
	}
	return nil
}

// Export writes MSAL's cache to the file.
func (c *fileCache) Export(_ context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	if c.write == nil {
		return nil
	}
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	if err := c.write(c.path, data, 0o600); err != nil {
		c.log.Warn("token cache not saved", "file", c.path, "error", err)
	}
	return nil
}

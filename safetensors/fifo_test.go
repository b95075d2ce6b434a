//go:build linux || darwin

package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// Load streams a file it cannot size, such as a named pipe.
func TestLoadPipe(t *testing.T) {
	want := &File{Tensors: map[string]Tensor{"w": {DType: F32, Shape: []int{1}, Data: []byte{0, 0, 0x80, 0x3f}}}}
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, want))

	for _, tc := range []struct {
		name string
		data []byte
		err  string
	}{
		{"valid", buf.Bytes(), ""},
		{"trailing byte", append(bytes.Clone(buf.Bytes()), 0), "trailing data after the last tensor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pipe")
			require.NoError(t, syscall.Mkfifo(path, 0o600))
			done := make(chan error, 1)
			go func() {
				w, err := os.OpenFile(path, os.O_WRONLY, 0)
				if err == nil {
					_, err = w.Write(tc.data)
					w.Close()
				}
				done <- err
			}()
			got, err := Load(path)
			require.NoError(t, <-done)
			if tc.err != "" {
				require.ErrorContains(t, err, path+": "+tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}

package datasets

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFashionMNIST loads the real Fashion-MNIST files that Debian's
// dataset-fashion-mnist package installs. Without them it skips, except in
// CI (CI=true), where their absence is a failure.
func TestFashionMNIST(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing in CI: apt-get install dataset-fashion-mnist (%v)", FashionMNISTDir, err)
		}
		t.Skipf("%s is missing; apt-get install dataset-fashion-mnist to run this test", FashionMNISTDir)
	}
	for _, tc := range []struct {
		train bool
		n     int
		name  string
	}{
		{true, 60000, "fashion-mnist-train"},
		{false, 10000, "fashion-mnist-test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := LoadFashionMNIST("", tc.train)
			require.NoError(t, err)
			require.Equal(t, tc.name, d.Name)
			require.Equal(t, []int{tc.n, 784}, d.X.Shape())
			require.Len(t, d.Y, tc.n)
			require.Equal(t, 10, d.NumClasses())

			// Fashion-MNIST is balanced: every class 0..9 has a tenth.
			counts := make([]int, 10)
			for _, c := range d.Y {
				require.True(t, c >= 0 && c <= 9, "label %d", c)
				counts[c]++
			}
			for c, k := range counts {
				require.Equal(t, tc.n/10, k, "class %d", c)
			}

			lo, hi := float32(1), float32(0)
			for _, v := range d.X.Data() {
				lo, hi = min(lo, v), max(hi, v)
			}
			require.Equal(t, float32(0), lo)
			require.Equal(t, float32(1), hi)
		})
	}
}

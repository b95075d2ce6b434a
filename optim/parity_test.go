package optim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// parityTol is the largest |go−torch|/max(1, |torch|) accepted.
const parityTol = 1e-6

// TestPyTorchParity trains the fixture's MLP in float64 under every
// configuration of testdata/optimizers.json and compares each step's loss
// and learning rate, each clipping norm and every parameter after the last
// step with what PyTorch 1.13 computed.
func TestPyTorchParity(t *testing.T) {
	f := loadFixture(t)
	var names []string
	for _, c := range f.Cases {
		names = append(names, c.Name)
	}
	var ours []string
	for _, tc := range trainCases {
		ours = append(ours, tc.name)
	}
	require.ElementsMatch(t, names, ours, "the Go table and the fixture must list the same cases")

	var report strings.Builder
	for _, tc := range trainCases {
		want := fixtureCaseNamed(f, tc.name)
		t.Run(tc.name, func(t *testing.T) {
			m := newMLP[float64](f)
			tr := train(m, newOptimizer(tc.cfg, m.params), tc, 0, f.Steps)

			worst, worstRel := 0.0, 0.0
			check := func(what string, got, want []float64) {
				t.Helper()
				require.Len(t, got, len(want), what)
				c, r := maxErr(got, want)
				require.LessOrEqual(t, c, parityTol, "%s: got %v, want %v", what, got, want)
				worst, worstRel = max(worst, c), max(worstRel, r)
			}
			check("losses", tr.losses, want.Losses)
			check("learning rates", tr.lrs, want.LRs)
			if want.Norms != nil {
				check("clip norms", tr.norms, want.Norms)
			}
			for i, name := range f.ParamNames {
				check("parameter "+name, m.values()[i], want.Params[name])
			}
			fmt.Fprintf(&report, "  %-22s max |Δ|/max(1,|torch|) = %.2e   max |Δ|/|torch| = %.2e\n", tc.name, worst, worstRel)
		})
	}
	t.Logf("PyTorch %s parity after %d steps, largest error per configuration:\n%s", f.TorchVersion, f.Steps, report.String())
}

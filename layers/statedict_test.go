package layers_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

func stateNames[T tensor.Float](sd []layers.NamedTensor[T]) []string {
	var names []string
	for _, e := range sd {
		names = append(names, e.Name)
	}
	return names
}

func TestStateDict(t *testing.T) {
	rng := newRNG()
	build := func() (*layers.Sequential[float64], *buffered) {
		bn := newBuffered(rng)
		return layers.NewSequential[float64](layers.NewLinear[float64](4, 3, rng), layers.NewTanh[float64](), bn), bn
	}
	src, srcBN := build()
	sd := layers.StateDict[float64](src)
	require.Equal(t, []string{"0.weight", "0.bias", "2.weight", "2.bias", "2.count"}, stateNames(sd), "parameters, then buffers")
	require.Same(t, src.Parameters()[0].Value(), sd[0].Tensor, "the model's own tensors")
	srcBN.count.Set(7)

	dst, dstBN := build()
	w0 := dst.Parameters()[0]
	x := autograd.Const(tensor.RandN[float64](rng, 5, 4))
	require.NotEqual(t, src.Forward(x).Value().Data(), dst.Forward(x).Value().Data())
	require.NoError(t, layers.LoadStateDict[float64](dst, sd, true))
	require.Equal(t, src.Forward(x).Value().Data(), dst.Forward(x).Value().Data())
	require.Equal(t, 7.0, dstBN.count.Item())
	require.Same(t, w0, dst.Parameters()[0], "the Vars stay, their values change")
	require.NotSame(t, sd[0].Tensor, dst.Parameters()[0].Value(), "copied, not shared")

	t.Run("mismatches", func(t *testing.T) {
		fresh, _ := build()
		before := fresh.Parameters()[0].Value().Clone()
		bad := []layers.NamedTensor[float64]{
			{Name: "0.weight", Tensor: tensor.Zeros[float64](4, 3)},
			{Name: "0.bias", Tensor: tensor.Zeros[float64](3)},
			{Name: "9.weight", Tensor: tensor.Zeros[float64](1)},
			{Name: "0.bias", Tensor: tensor.Zeros[float64](3)},
		}
		err := layers.LoadStateDict[float64](fresh, bad, false)
		var sdErr *layers.StateDictError
		require.True(t, errors.As(err, &sdErr), "%v", err)
		require.Equal(t, []string{"2.weight", "2.bias", "2.count"}, sdErr.Missing)
		require.Equal(t, []string{"9.weight"}, sdErr.Unexpected)
		require.Equal(t, []string{"0.weight: state dict [4 3], model [3 4]"}, sdErr.Mismatched)
		require.Equal(t, []string{"0.bias"}, sdErr.Duplicate)
		require.Contains(t, err.Error(), "missing: 2.weight, 2.bias, 2.count")
		require.Contains(t, err.Error(), "shape mismatch: 0.weight")
		require.Equal(t, before.Data(), fresh.Parameters()[0].Value().Data(), "nothing copied on error")
	})

	t.Run("strict", func(t *testing.T) {
		fresh, _ := build()
		partial := sd[:2]
		err := layers.LoadStateDict[float64](fresh, partial, true)
		var sdErr *layers.StateDictError
		require.ErrorAs(t, err, &sdErr)
		require.Equal(t, []string{"2.weight", "2.bias", "2.count"}, sdErr.Missing)
		require.NotEqual(t, sd[0].Tensor.Data(), fresh.Parameters()[0].Value().Data(), "nothing copied on error")

		extra := append(append([]layers.NamedTensor[float64](nil), sd...), layers.NamedTensor[float64]{Name: "head.weight", Tensor: tensor.Zeros[float64](2)})
		err = layers.LoadStateDict[float64](fresh, extra, true)
		require.ErrorAs(t, err, &sdErr)
		require.Equal(t, []string{"head.weight"}, sdErr.Unexpected)

		// Without strict, what matches is loaded and the rest skipped.
		require.NoError(t, layers.LoadStateDict[float64](fresh, partial, false))
		require.Equal(t, sd[0].Tensor.Data(), fresh.Parameters()[0].Value().Data())
		require.NoError(t, layers.LoadStateDict[float64](fresh, extra, false))
	})
}

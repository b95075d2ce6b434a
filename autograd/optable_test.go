package autograd

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/tensor"
)

// opCase is one way of calling an op: a function of the inputs and a
// generator of inputs that respect the op's domain.
type opCase struct {
	name   string
	fn     func(in []*Var[float64]) *Var[float64]
	inputs func(rng *rand.Rand) []*tensor.Dense[float64]
	// firstOrderOnly marks cases whose second derivative is not defined
	// everywhere near the inputs.
	firstOrderOnly bool
}

// opEntry lists the cases of one exported op. The table is the gradient
// suite: every exported op of the package must have an entry
// (TestOpTableCoversEveryOp).
type opEntry struct {
	op    string
	cases []opCase
}

func randn(shape ...int) func(*rand.Rand) *tensor.Dense[float64] {
	return func(rng *rand.Rand) *tensor.Dense[float64] { return tensor.RandN[float64](rng, shape...) }
}

// positive draws from [0.5, 2): the domain of log, sqrt and pow's base.
func positive(shape ...int) func(*rand.Rand) *tensor.Dense[float64] {
	return func(rng *rand.Rand) *tensor.Dense[float64] {
		return tensor.RandUniform[float64](rng, 0.5, 2, shape...)
	}
}

// offKink draws values whose magnitude is in [0.1, 1.1), with random signs:
// no element sits on the kink at 0 of relu or abs.
func offKink(shape ...int) func(*rand.Rand) *tensor.Dense[float64] {
	return func(rng *rand.Rand) *tensor.Dense[float64] {
		t := tensor.RandUniform[float64](rng, 0.1, 1.1, shape...)
		d := t.Data()
		for i := range d {
			if rng.IntN(2) == 0 {
				d[i] = -d[i]
			}
		}
		return t
	}
}

// distinct draws values at least 0.05 apart, so that a max or min has no
// near-tie for central differences to straddle.
func distinct(shape ...int) func(*rand.Rand) *tensor.Dense[float64] {
	return func(rng *rand.Rand) *tensor.Dense[float64] {
		t := tensor.Zeros[float64](shape...)
		d := t.Data()
		for i, p := range rng.Perm(len(d)) {
			d[i] = float64(p)*0.1 - 1 + rng.Float64()*0.05
		}
		return t
	}
}

func gens(gs ...func(*rand.Rand) *tensor.Dense[float64]) func(*rand.Rand) []*tensor.Dense[float64] {
	return func(rng *rand.Rand) []*tensor.Dense[float64] {
		out := make([]*tensor.Dense[float64], len(gs))
		for i, g := range gs {
			out[i] = g(rng)
		}
		return out
	}
}

func unary(f func(*Var[float64]) *Var[float64]) func([]*Var[float64]) *Var[float64] {
	return func(in []*Var[float64]) *Var[float64] { return f(in[0]) }
}

func binary(f func(a, b *Var[float64]) *Var[float64]) func([]*Var[float64]) *Var[float64] {
	return func(in []*Var[float64]) *Var[float64] { return f(in[0], in[1]) }
}

// broadcastCases checks a binary op on equal shapes, a row vector, a column,
// a scalar and leading dimensions.
func broadcastCases(f func(a, b *Var[float64]) *Var[float64], gen func(shape ...int) func(*rand.Rand) *tensor.Dense[float64]) []opCase {
	return []opCase{
		{name: "same", fn: binary(f), inputs: gens(gen(3, 4), gen(3, 4))},
		{name: "row", fn: binary(f), inputs: gens(gen(3, 4), gen(4))},
		{name: "column", fn: binary(f), inputs: gens(gen(3, 1), gen(3, 4))},
		{name: "scalar", fn: binary(f), inputs: gens(gen(2, 3), gen())},
		{name: "both", fn: binary(f), inputs: gens(gen(2, 1, 3), gen(4, 1))},
	}
}

func opTable() []opEntry {
	cond := tensor.New([]float64{1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0}, 3, 4)
	reluMask := tensor.New([]float64{0.5, -1, 0, 2, -0.1, 3, 1e-9, -2, 0.7, 0, -5, 1}, 3, 4)
	return append([]opEntry{
		{"Add", broadcastCases(Add[float64], randn)},
		{"Sub", broadcastCases(Sub[float64], randn)},
		{"Mul", broadcastCases(Mul[float64], randn)},
		{"Div", []opCase{
			{name: "same", fn: binary(Div[float64]), inputs: gens(randn(3, 4), positive(3, 4))},
			{name: "row", fn: binary(Div[float64]), inputs: gens(randn(3, 4), positive(4))},
			{name: "scalar-numerator", fn: binary(Div[float64]), inputs: gens(randn(), positive(2, 3))},
		}},
		{"Pow", []opCase{
			{name: "same", fn: binary(Pow[float64]), inputs: gens(positive(3, 4), randn(3, 4))},
			{name: "scalar-exponent", fn: binary(Pow[float64]), inputs: gens(positive(2, 3), randn())},
		}},
		{"Maximum", []opCase{
			{name: "same", fn: binary(Maximum[float64]), inputs: gens(randn(3, 4), distinct(3, 4))},
			{name: "row", fn: binary(Maximum[float64]), inputs: gens(distinct(3, 4), distinct(4))},
		}},
		{"Minimum", []opCase{
			{name: "same", fn: binary(Minimum[float64]), inputs: gens(randn(3, 4), distinct(3, 4))},
			{name: "column", fn: binary(Minimum[float64]), inputs: gens(distinct(3, 1), distinct(3, 4))},
		}},
		{"Where", []opCase{
			{name: "same", fn: func(in []*Var[float64]) *Var[float64] { return Where(cond, in[0], in[1]) }, inputs: gens(randn(3, 4), randn(3, 4))},
			{name: "broadcast", fn: func(in []*Var[float64]) *Var[float64] { return Where(cond, in[0], in[1]) }, inputs: gens(randn(4), randn(3, 1))},
		}},
		{"Scale", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Scale(a, -2.5) }), inputs: gens(randn(3, 4))}}},
		{"AddScalar", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return AddScalar(a, 3) }), inputs: gens(randn(3, 4))}}},
		{"Neg", []opCase{{name: "", fn: unary(Neg[float64]), inputs: gens(randn(3, 4))}}},
		{"Exp", []opCase{{name: "", fn: unary(Exp[float64]), inputs: gens(randn(3, 4))}}},
		{"Log", []opCase{{name: "", fn: unary(Log[float64]), inputs: gens(positive(3, 4))}}},
		{"Sqrt", []opCase{{name: "", fn: unary(Sqrt[float64]), inputs: gens(positive(3, 4))}}},
		{"Abs", []opCase{{name: "", fn: unary(Abs[float64]), inputs: gens(offKink(3, 4))}}},
		{"Erf", []opCase{{name: "", fn: unary(Erf[float64]), inputs: gens(randn(3, 4))}}},
		{"Tanh", []opCase{{name: "", fn: unary(Tanh[float64]), inputs: gens(randn(3, 4))}}},
		{"Sigmoid", []opCase{{name: "", fn: unary(Sigmoid[float64]), inputs: gens(randn(3, 4))}}},
		{"ReLU", []opCase{{name: "", fn: unary(ReLU[float64]), inputs: gens(offKink(3, 4))}}},
		{"ReLUGrad", []opCase{
			// The mask is constant, zero and negative entries included; Tanh
			// makes the second derivative non-zero.
			{name: "", fn: unary(func(g *Var[float64]) *Var[float64] { return Tanh(ReLUGrad(g, reluMask)) }), inputs: gens(randn(3, 4))},
			// ReLU's backward written out: the gradient of Sum(ReLU(x)^2) is
			// 2*ReLU(x) masked, so its derivative reaches x through ReLU.
			{name: "in-backward", fn: unary(func(x *Var[float64]) *Var[float64] {
				return ReLUGrad(Scale(Mul(ReLU(x), Tanh(x)), 2), x.Value())
			}), inputs: gens(offKink(3, 4))},
		}},
		{"Clamp", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Clamp(a, -0.5, 0.5) }), inputs: gens(func(rng *rand.Rand) *tensor.Dense[float64] {
			// Off both bounds: magnitudes in [0.1, 1.1) never fall within 1e-6 of ±0.5 in practice, but make sure.
			t := offKink(3, 4)(rng)
			for i, x := range t.Data() {
				if x > 0.45 && x < 0.55 || x < -0.45 && x > -0.55 {
					t.Data()[i] = x * 1.5
				}
			}
			return t
		})}}},
		{"Sum", []opCase{
			{name: "all", fn: unary(func(a *Var[float64]) *Var[float64] { return Sum(a) }), inputs: gens(randn(3, 4))},
			{name: "axis0", fn: unary(func(a *Var[float64]) *Var[float64] { return Sum(a, 0) }), inputs: gens(randn(3, 4))},
			{name: "axes", fn: unary(func(a *Var[float64]) *Var[float64] { return Sum(a, 0, 2) }), inputs: gens(randn(2, 3, 4))},
		}},
		{"Mean", []opCase{
			{name: "all", fn: unary(func(a *Var[float64]) *Var[float64] { return Mean(a) }), inputs: gens(randn(3, 4))},
			{name: "last", fn: unary(func(a *Var[float64]) *Var[float64] { return Mean(a, -1) }), inputs: gens(randn(2, 3, 4))},
		}},
		{"Max", []opCase{
			{name: "all", fn: unary(func(a *Var[float64]) *Var[float64] { return Max(a) }), inputs: gens(distinct(3, 4))},
			{name: "axis1", fn: unary(func(a *Var[float64]) *Var[float64] { return Max(a, 1) }), inputs: gens(distinct(3, 4))},
		}},
		{"Min", []opCase{
			{name: "axis0", fn: unary(func(a *Var[float64]) *Var[float64] { return Min(a, 0) }), inputs: gens(distinct(3, 4))},
		}},
		{"LogSumExp", []opCase{
			{name: "last", fn: unary(func(a *Var[float64]) *Var[float64] { return LogSumExp(a, -1) }), inputs: gens(randn(3, 4))},
			{name: "axes", fn: unary(func(a *Var[float64]) *Var[float64] { return LogSumExp(a, 0, 2) }), inputs: gens(randn(2, 3, 2))},
			{name: "large", fn: unary(func(a *Var[float64]) *Var[float64] { return LogSumExp(a, 1) }), inputs: gens(large(3, 4))},
		}},
		{"Softmax", []opCase{
			{name: "last", fn: unary(func(a *Var[float64]) *Var[float64] { return Softmax(a, -1) }), inputs: gens(randn(3, 4))},
			{name: "axis0", fn: unary(func(a *Var[float64]) *Var[float64] { return Softmax(a, 0) }), inputs: gens(randn(3, 4))},
			{name: "large", fn: unary(func(a *Var[float64]) *Var[float64] { return Softmax(a, 1) }), inputs: gens(large(2, 5))},
		}},
		{"LogSoftmax", []opCase{
			{name: "last", fn: unary(func(a *Var[float64]) *Var[float64] { return LogSoftmax(a, -1) }), inputs: gens(randn(3, 4))},
			{name: "middle", fn: unary(func(a *Var[float64]) *Var[float64] { return LogSoftmax(a, 1) }), inputs: gens(randn(2, 3, 2))},
			{name: "large", fn: unary(func(a *Var[float64]) *Var[float64] { return LogSoftmax(a, 1) }), inputs: gens(large(2, 5))},
		}},
		{"Reshape", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Mul(Reshape(a, 4, -1), Reshape(a, 4, -1)) }), inputs: gens(randn(2, 6))}}},
		{"Permute", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Permute(a, 2, 0, 1)) }), inputs: gens(randn(2, 3, 4))}}},
		{"Transpose", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Transpose(a, 0, 1)) }), inputs: gens(randn(3, 4))}}},
		{"Slice", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Slice(a, 1, 1, 3)) }), inputs: gens(randn(3, 4))}}},
		{"Pad", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Pad(a, 0, 1, 2)) }), inputs: gens(randn(3, 4))}}},
		{"Contiguous", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Contiguous(Transpose(a, 0, 1))) }), inputs: gens(randn(3, 4))}}},
		{"Squeeze", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Squeeze(a, 1)) }), inputs: gens(randn(3, 1, 4))}}},
		{"Unsqueeze", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Unsqueeze(a, 1)) }), inputs: gens(randn(3, 4))}}},
		{"Expand", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Expand(a, 2, 3, 4)) }), inputs: gens(randn(3, 1))}}},
		{"SumTo", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(SumTo(a, 3, 1)) }), inputs: gens(randn(2, 3, 4))}}},
		{"Concat", []opCase{
			{name: "axis0", fn: func(in []*Var[float64]) *Var[float64] { return Tanh(Concat(0, in[0], in[1])) }, inputs: gens(randn(2, 3), randn(4, 3))},
			{name: "axis1", fn: func(in []*Var[float64]) *Var[float64] { return Tanh(Concat(1, in[0], in[1], in[0])) }, inputs: gens(randn(2, 3), randn(2, 1))},
		}},
		{"Stack", []opCase{{name: "", fn: func(in []*Var[float64]) *Var[float64] { return Tanh(Stack(1, in[0], in[1])) }, inputs: gens(randn(2, 3), randn(2, 3))}}},
		{"Gather", []opCase{
			{name: "rows", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Gather(a, 1, []int{2, 0, 3})) }), inputs: gens(randn(3, 4))},
			{name: "axis0", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Gather(a, 0, []int{1, 1, 0, 2})) }), inputs: gens(randn(3, 4))},
		}},
		{"Scatter", []opCase{{name: "", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(Scatter(a, 1, []int{2, 0, 3}, []int{3, 4})) }), inputs: gens(randn(3))}}},
		{"IndexSelect", []opCase{{name: "repeats", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(IndexSelect(a, 0, []int{2, 0, 2, 1})) }), inputs: gens(randn(3, 4))}}},
		{"IndexAdd", []opCase{{name: "repeats", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(IndexAdd(a, 0, []int{2, 0, 2}, []int{4, 2})) }), inputs: gens(randn(3, 2))}}},
		{"Linear", []opCase{
			{name: "bias", fn: func(in []*Var[float64]) *Var[float64] { return Linear(in[0], in[1], in[2]) }, inputs: gens(randn(4, 3), randn(5, 3), randn(5))},
			{name: "no-bias", fn: func(in []*Var[float64]) *Var[float64] { return Linear(in[0], in[1], nil) }, inputs: gens(randn(4, 3), randn(5, 3))},
			{name: "batched", fn: func(in []*Var[float64]) *Var[float64] { return Tanh(Linear(in[0], in[1], in[2])) }, inputs: gens(randn(2, 3, 4), randn(2, 4), randn(2))},
		}},
		{"LinearReLU", []opCase{
			// Through Tanh, so that the second derivative is not zero.
			{name: "bias", fn: func(in []*Var[float64]) *Var[float64] { return Tanh(LinearReLU(in[0], in[1], in[2])) }, inputs: gens(randn(4, 3), randn(5, 3), randn(5))},
			{name: "no-bias", fn: func(in []*Var[float64]) *Var[float64] { return Tanh(LinearReLU(in[0], in[1], nil)) }, inputs: gens(randn(4, 3), randn(5, 3))},
			{name: "const-input", fn: func(in []*Var[float64]) *Var[float64] {
				x := tensor.New([]float64{0.3, -1.2, 0.8, 0.5, -0.7, 1.1, 0.2, -0.4, 1.5, -0.9, 0.6, 0.1}, 3, 4)
				return Tanh(LinearReLU(Const(x), in[0], in[1]))
			}, inputs: gens(randn(2, 4), randn(2))},
		}},
		{"MatMul", []opCase{
			{name: "2d", fn: binary(MatMul[float64]), inputs: gens(randn(3, 4), randn(4, 5))},
			{name: "transposed", fn: func(in []*Var[float64]) *Var[float64] { return MatMul(in[0], Transpose(in[1], 0, 1)) }, inputs: gens(randn(3, 4), randn(5, 4))},
			{name: "batched", fn: binary(MatMul[float64]), inputs: gens(randn(2, 3, 4), randn(2, 4, 2))},
			{name: "broadcast-batch", fn: binary(MatMul[float64]), inputs: gens(randn(2, 3, 4), randn(4, 2))},
		}},
	}, convOpTable()...)
}

// large draws inputs around 1e3, where a naive softmax overflows.
func large(shape ...int) func(*rand.Rand) *tensor.Dense[float64] {
	return func(rng *rand.Rand) *tensor.Dense[float64] {
		return tensor.AddScalar(tensor.RandN[float64](rng, shape...), 1000)
	}
}

func TestGradCheckOps(t *testing.T) {
	for _, entry := range opTable() {
		for ci, c := range entry.cases {
			name := entry.op
			if c.name != "" {
				name += "/" + c.name
			}
			rng := rand.New(rand.NewPCG(uint64(ci), 7))
			inputs := c.inputs(rng)
			t.Run(name+"/first", func(t *testing.T) {
				require.NoError(t, GradCheck(c.fn, inputs, GradCheckOptions{}))
			})
			if !c.firstOrderOnly {
				t.Run(name+"/second", func(t *testing.T) {
					require.NoError(t, GradGradCheck(c.fn, inputs, GradCheckOptions{}))
				})
			}
		}
	}
}

// notOps are exported functions that build Vars without being ops.
var notOps = map[string]bool{"Const": true, "Param": true, "Scalar": true, "Grad": true}

func TestOpTableCoversEveryOp(t *testing.T) {
	exported := exportedVarFuncs(t)
	inTable := map[string]bool{}
	for _, e := range opTable() {
		inTable[e.op] = true
		require.NotEmpty(t, e.cases, "op %s has no cases", e.op)
	}
	var missing []string
	for _, name := range exported {
		if !inTable[name] && !notOps[name] {
			missing = append(missing, name)
		}
	}
	require.Empty(t, missing, "exported ops without a gradient check in opTable")
	require.Greater(t, len(inTable), 40)
}

// exportedVarFuncs lists the package's exported functions that return a *Var.
func exportedVarFuncs(t *testing.T) []string {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		require.NoError(t, err)
		{
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Recv != nil || !fd.Name.IsExported() || fd.Type.Results == nil {
					continue
				}
				for _, r := range fd.Type.Results.List {
					if star, ok := r.Type.(*ast.StarExpr); ok {
						if idx, ok := star.X.(*ast.IndexExpr); ok {
							if id, ok := idx.X.(*ast.Ident); ok && id.Name == "Var" {
								names = append(names, fd.Name.Name)
							}
						}
					}
				}
			}
		}
	}
	sort.Strings(names)
	return names
}

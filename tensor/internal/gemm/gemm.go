package gemm

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// float is the set of element types Gemm supports.
type float interface{ float32 | float64 }

// parallelThreshold is the smallest m*n*k for which Gemm uses more than one
// goroutine. Below it the hand-off to a helper costs what it saves: on two
// Zen 4 cores n = 64 ran no faster on two (float32 69 against 74 GFLOPS),
// while n = 84 and 96 ran 30 to 50% faster (float32 n = 96: 131 against
// 95). It depends only on the problem size, never on GOMAXPROCS.
const parallelThreshold = 1 << 19

// bPanelBudget bounds the number of elements of op(B) packed at once
// (k x nc). It fixes nc from k alone.
const bPanelBudget = 1 << 21

// kernel describes a micro-kernel and the blocking that suits it.
//
// fn computes the mr x nr tile
//
//	C = alpha*Ap*Bp + beta*C   (C = alpha*Ap*Bp when beta == 0, C unread)
//
// where Ap is a packed A sliver (k steps of mr values) and Bp a packed B
// sliver (k steps of nr values), and C has row stride ldc.
type kernel[T float] struct {
	name   string
	mr, nr int
	kc     int // depth of a k block
	mc     int // maximum rows of a packed A block (multiple of mr)
	fn     func(k int, a, b, c []T, ldc int, alpha, beta T)

	// sup, when not nil, is the strided form of fn used by the small-product
	// path (sup.go): it reads A(r, p) at a[r*ars+p*aps] for r < mr and
	// B(p, j) at b[p*bps+j] for the columns j whose bit is set in mask, and
	// reads and writes only those columns of the first rows rows of C.
	sup func(k int, a []T, ars, aps int, b []T, bps int, c []T, ldc int, alpha, beta T, rows int, mask uint32)
}

// genericPack disables accelerated packing, with the generic kernels.
var genericPack bool

// kernelSet pairs the float32 and float64 kernels of one instruction set.
type kernelSet struct {
	k32 *kernel[float32]
	k64 *kernel[float64]
}

// Active kernels, chosen at init among archKernels (best first).
var (
	kern32 *kernel[float32]
	kern64 *kernel[float64]
)

func init() { useKernels(archKernels()[0]) }

// useKernels makes ks the active kernels. It is for init and tests; it must
// not be called concurrently with Gemm.
func useKernels(ks kernelSet) {
	kern32, kern64 = ks.k32, ks.k64
	genericPack = ks.k32.name == "generic"
}

// genericKernels returns the portable Go micro-kernels.
func genericKernels() kernelSet {
	return kernelSet{
		&kernel[float32]{name: "generic", mr: 2, nr: 4, kc: 256, mc: 128, fn: kernGeneric[float32]},
		&kernel[float64]{name: "generic", mr: 2, nr: 4, kc: 256, mc: 128, fn: kernGeneric[float64]},
	}
}

func kernelFor[T float]() *kernel[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(kern32).(*kernel[T])
	}
	return any(kern64).(*kernel[T])
}

// KernelName reports which micro-kernel Gemm uses for float32 and float64,
// for example "avx512", "avx2" or "generic".
func KernelName() (f32, f64 string) { return kern32.name, kern64.name }

// Packing buffers, recycled across calls: one stack per element type and
// role, so that a request for a large B panel is not answered with a small
// A block. Unlike a sync.Pool, the stacks survive garbage collections: a
// training step that allocates little would otherwise find them emptied by
// the rare collection and fault in megabytes of fresh panels.
var stacks [2][2]bufStack // [float32, float64][A, B]

// keepBufs bounds each stack: a few workers' worth of buffers.
const keepBufs = 8

type bufStack struct {
	mu   sync.Mutex
	bufs []any // *[]T
}

const (
	roleA = iota
	roleB
)

func stackFor[T float](role int) *bufStack {
	var z T
	if _, ok := any(z).(float32); ok {
		return &stacks[0][role]
	}
	return &stacks[1][role]
}

// getBuf returns a buffer of n elements, the smallest kept one that is large
// enough or a new one. Its content is arbitrary.
func getBuf[T float](role, n int) *[]T {
	s := stackFor[T](role)
	s.mu.Lock()
	best := -1
	for i, b := range s.bufs {
		if c := cap(*b.(*[]T)); c >= n && (best < 0 || c < cap(*s.bufs[best].(*[]T))) {
			best = i
		}
	}
	if best >= 0 {
		v := s.bufs[best].(*[]T)
		s.bufs = append(s.bufs[:best], s.bufs[best+1:]...)
		s.mu.Unlock()
		*v = (*v)[:n]
		return v
	}
	s.mu.Unlock()
	buf := make([]T, n)
	return &buf
}

// putBuf keeps v for reuse; when the stack is full the smallest buffer goes.
func putBuf[T float](role int, v *[]T) {
	s := stackFor[T](role)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bufs) == keepBufs {
		small := 0
		for i, b := range s.bufs {
			if cap(*b.(*[]T)) < cap(*s.bufs[small].(*[]T)) {
				small = i
			}
		}
		if cap(*s.bufs[small].(*[]T)) >= cap(*v) {
			return
		}
		s.bufs = append(s.bufs[:small], s.bufs[small+1:]...)
	}
	s.bufs = append(s.bufs, v)
}

// Gemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices.
//
// op(A) is m x k: A itself (lda >= k, element (i,p) at a[i*lda+p]) or, with
// transA, the transpose of a k x m matrix stored row-major (element (i,p) of
// op(A) at a[p*lda+i]). op(B) is k x n likewise with transB. C is m x n with
// row stride ldc. beta == 0 means C's previous content is ignored (even NaN).
//
// As in BLAS, when alpha == 0 or k == 0 A and B are not read, and C must not
// overlap A or B. Gemm panics if a dimension is negative, a leading
// dimension is too small or a slice is too short for the matrix it holds.
// Results are bit-identical whatever GOMAXPROCS is.
func Gemm[T float32 | float64](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	checkMat("A", transA, m, k, a, lda)
	checkMat("B", transB, k, n, b, ldb)
	checkMat("C", false, m, n, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkMat panics unless x holds an r x c matrix op(X) with leading
// dimension ld (X stored row-major, transposed when trans).
func checkMat[T float](name string, trans bool, r, c int, x []T, ld int) {
	rows, cols := r, c
	if trans {
		rows, cols = c, r
	}
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: leading dimension of %s is %d, want >= %d", name, ld, max(1, cols)))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(x) < need {
		panic(fmt.Sprintf("gemm: %s has %d elements, a %dx%d matrix with leading dimension %d needs %d", name, len(x), rows, cols, ld, need))
	}
}

// scaleC sets C = beta*C, or C = 0 when beta == 0.
func scaleC[T float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// ncFor returns the width of the column blocks of op(B) for n columns of
// depth k: as few blocks as bPanelBudget allows, of equal width (in whole
// slivers of nr), so that no block is a sliver or two that leaves the
// workers idle (n = 1536 in float32 gave blocks of 1344 and 192 columns).
// It depends on the shape and the kernel only, never on the number of
// workers.
func ncFor(n, k, nr int) int {
	widest := max(bPanelBudget/k/nr*nr, nr)
	blocks := ceilDiv(n, widest)
	return ceilDiv(ceilDiv(n, blocks), nr) * nr
}

// problem holds the operands of one Gemm call.
type problem[T float] struct {
	kr             *kernel[T]
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a              []T
	lda            int
	b              []T
	ldb            int
	c              []T
	ldc            int

	// Parallel schedule, set by run.
	nc                   int // columns per block of packed B
	bp                   []T // packed B for the current column block
	mTiles               int // micro-tile rows of C
	rowBlocks, colChunks int // units = rowBlocks x colChunks
	bar                  barrier
	nextB, nextU         atomic.Int64 // claim counters
}

// run multiplies with up to GOMAXPROCS workers.
//
// For each column block of nc columns, the workers first pack op(B) for the
// whole depth together, claiming slivers from a shared counter, and meet at
// a barrier. Then they claim units of work from another counter: a unit is a
// block of whole micro-tile rows times a range of B slivers, computed over
// every k block in order. Which worker computes a unit changes nothing in
// the result: each element of C is always computed by the same micro-kernel
// calls on the same packed data, in the same k-block order.
func run[T float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	kr := kernelFor[T]()
	p := &problem[T]{kr: kr, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	mr, nr := kr.mr, kr.nr
	w := 1
	if m*n*k >= parallelThreshold {
		w = min(runtime.GOMAXPROCS(0), maxWorkers)
	}
	if useSup(kr, m, n, k) {
		runSup(p, w)
		return
	}
	mTiles := ceilDiv(m, mr)
	nc := ncFor(n, k, nr)
	// Units: A blocks no taller than mc and, with several workers, about
	// unitsPerWorker units per worker for balance. Row blocks differ by at
	// most one micro-tile: a short last block would leave one worker idle
	// while another computes a whole block (37 tiles in blocks of 7 at
	// n = 512 give two workers 21 and 16 tiles).
	rowBlocks := ceilDiv(mTiles, kr.mc/mr)
	p.colChunks = 1
	if w > 1 {
		rowBlocks = max(rowBlocks, min(mTiles, unitsPerWorker*w))
		p.colChunks = min(nc/nr, max(1, ceilDiv(unitsPerWorker*w, rowBlocks)))
	}
	p.rowBlocks = rowBlocks
	p.mTiles = mTiles
	nw := min(w, p.rowBlocks*p.colChunks)
	// Buffers are taken and returned on the calling goroutine, which keeps
	// them in the same per-P cache of the pools from call to call.
	bbuf := getBuf[T](roleB, k*nc)
	p.bp = *bbuf
	p.nc = nc
	p.bar.n = int32(nw)
	aLen := p.tilesPerUnit()*mr*min(kr.kc, k) + mr*nr
	if nw == 1 {
		abuf := getBuf[T](roleA, aLen)
		p.worker(*abuf)
		putBuf(roleA, abuf)
	} else {
		p.bar.cond = sync.NewCond(&p.bar.mu)
		var abufs [maxWorkers]*[]T
		var wg sync.WaitGroup
		for i := range nw {
			abufs[i] = getBuf[T](roleA, aLen)
			if i > 0 {
				wg.Go(func() { p.worker(*abufs[i]) })
			}
		}
		p.worker(*abufs[0])
		wg.Wait()
		for _, ab := range abufs[:nw] {
			putBuf(roleA, ab)
		}
	}
	putBuf(roleB, bbuf)
}

// tilesPerUnit is the most micro-tile rows in a unit of work: the row
// blocks split mTiles as evenly as whole tiles allow.
func (p *problem[T]) tilesPerUnit() int { return ceilDiv(p.mTiles, p.rowBlocks) }

// unitsPerWorker is how many units of work a parallel product aims for per
// worker: enough for the claim counter to even out a worker that is slowed
// down, few enough that each unit reuses its packed B slivers over many
// tiles.
const unitsPerWorker = 4

// maxWorkers bounds the number of goroutines of one Gemm call.
const maxWorkers = 64

// worker is the body of each goroutine of run; abuf is its buffer for
// packed A blocks and the scratch tile.
func (p *problem[T]) worker(abuf []T) {
	kr := p.kr
	mr, nr, kc := kr.mr, kr.nr, kr.kc
	kb := min(kc, p.k)
	ap := abuf[:p.tilesPerUnit()*mr*kb]
	tmp := abuf[len(ap):]
	units := p.rowBlocks * p.colChunks
	for jc := 0; jc < p.n; jc += p.nc {
		nb := min(p.nc, p.n-jc)
		slivers := ceilDiv(nb, nr)
		nbPad := slivers * nr
		const packChunk = 2 // slivers claimed at a time when packing B
		for {
			s := int(p.nextB.Add(packChunk)) - packChunk
			if s >= slivers {
				break
			}
			p.packBPanel(p.bp, jc, nb, nbPad, s, min(s+packChunk, slivers))
		}
		p.bar.wait(func() { p.nextU.Store(0) })
		for {
			u := int(p.nextU.Add(1)) - 1
			if u >= units {
				break
			}
			rb, cb := u/p.colChunks, u%p.colChunks
			i0 := p.mTiles * rb / p.rowBlocks * mr
			i1 := min(p.mTiles*(rb+1)/p.rowBlocks*mr, p.m)
			s0, s1 := slivers*cb/p.colChunks, slivers*(cb+1)/p.colChunks
			p.work(ap, tmp, jc, nb, nbPad, i0, i1, s0, s1)
		}
		if jc+p.nc < p.n {
			// Everyone is done with this packed B before the next block
			// overwrites it.
			p.bar.wait(func() { p.nextB.Store(0) })
		}
	}
}

// barrier is a reusable barrier for n goroutines. Waits are usually short
// (one packing phase or the tail of a compute phase), so waiters first spin
// briefly, yielding the processor, and then sleep.
type barrier struct {
	n       int32
	arrived atomic.Int32
	gen     atomic.Int32
	mu      sync.Mutex
	cond    *sync.Cond // on mu; created by run when n > 1
}

// wait blocks until n goroutines have called it; the last to arrive runs
// last (which may reset shared state) before releasing the others.
func (b *barrier) wait(last func()) {
	g := b.gen.Load()
	if b.arrived.Add(1) == b.n {
		last()
		b.arrived.Store(0)
		if b.n > 1 {
			b.mu.Lock()
			b.gen.Add(1)
			b.cond.Broadcast()
			b.mu.Unlock()
		}
		return
	}
	for range 64 {
		if b.gen.Load() != g {
			return
		}
		runtime.Gosched()
	}
	b.mu.Lock()
	for b.gen.Load() == g {
		b.cond.Wait()
	}
	b.mu.Unlock()
}

// packBPanel packs slivers s0..s1 of the column block jc..jc+nb of op(B)
// for every k block. Block pc starts at bp[pc*nbPad]; within it sliver s
// starts at s*kb*nr.
func (p *problem[T]) packBPanel(bp []T, jc, nb, nbPad, s0, s1 int) {
	nr, kc := p.kr.nr, p.kr.kc
	for pc := 0; pc < p.k; pc += kc {
		kb := min(kc, p.k-pc)
		blk := bp[pc*nbPad : pc*nbPad+kb*nbPad]
		for s := s0; s < s1; s++ {
			j0 := jc + s*nr
			cols := min(nr, jc+nb-j0)
			packB(blk[s*kb*nr:(s+1)*kb*nr], p.b, p.ldb, p.transB, pc, kb, j0, cols, nr)
		}
	}
}

// work computes rows i0..i1 of C restricted to slivers s0..s1 of the column
// block starting at jc, for all k blocks in order. ap holds at least
// (i1-i0 rounded up to mr) x kc elements, tmp an mr x nr tile.
func (p *problem[T]) work(ap, tmp []T, jc, nb, nbPad, i0, i1, s0, s1 int) {
	if i0 >= i1 || s0 >= s1 {
		return
	}
	kr := p.kr
	mr, nr, kc := kr.mr, kr.nr, kr.kc
	rows := i1 - i0
	nblk := ceilDiv(rows, kr.mc)
	mc := ceilDiv(ceilDiv(rows, nblk), mr) * mr
	bp := p.bp
	fn := kr.fn
	c, ldc, alpha := p.c, p.ldc, p.alpha
	jend := jc + nb
	for pc := 0; pc < p.k; pc += kc {
		kb := min(kc, p.k-pc)
		beta := p.beta
		if pc > 0 {
			beta = 1
		}
		blk := bp[pc*nbPad : pc*nbPad+kb*nbPad]
		for ic := i0; ic < i1; ic += mc {
			mb := min(mc, i1-ic)
			packA(ap, p.a, p.lda, p.transA, ic, mb, pc, kb, mr)
			for s := s0; s < s1; s++ {
				bs := blk[s*kb*nr : (s+1)*kb*nr]
				j := jc + s*nr
				cols := min(nr, jend-j)
				for ir := 0; ir < mb; ir += mr {
					as := ap[ir*kb : (ir+mr)*kb]
					i := ic + ir
					rws := min(mr, mb-ir)
					if rws == mr && cols == nr {
						fn(kb, as, bs, c[i*ldc+j:], ldc, alpha, beta)
						continue
					}
					fn(kb, as, bs, tmp, nr, alpha, 0)
					for r := range rws {
						crow := c[(i+r)*ldc+j : (i+r)*ldc+j+cols]
						trow := tmp[r*nr : r*nr+cols]
						if beta == 0 {
							copy(crow, trow)
							continue
						}
						for q, v := range trow {
							crow[q] = v + beta*crow[q]
						}
					}
				}
			}
		}
	}
}

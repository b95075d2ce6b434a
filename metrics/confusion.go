package metrics

import (
	"fmt"
	"strconv"
	"strings"
)

// ConfusionMatrix counts, for a single-label classifier, how often each true
// class was predicted as each class. Precision, recall and F1 per class and
// their averages are read from it; see the package documentation for the
// conventions (zero_division=0).
type ConfusionMatrix struct {
	// Counts[t][p] is the number of samples of true class t predicted as p.
	Counts [][]int
	// ClassNames, when set (one per class), label the rows and columns of
	// String and Report; otherwise classes are shown by number.
	ClassNames []string
}

// NewConfusion counts predictions against the truth for classes classes
// (labels 0..classes-1). It panics when the lengths differ or a label is
// out of range.
func NewConfusion(pred, truth []int, classes int) *ConfusionMatrix {
	checkLen("NewConfusion", pred, truth)
	if classes < 0 {
		panic(fmt.Sprintf("metrics.NewConfusion: %d classes", classes))
	}
	m := &ConfusionMatrix{Counts: make([][]int, classes)}
	for i := range m.Counts {
		m.Counts[i] = make([]int, classes)
	}
	for i, p := range pred {
		t := truth[i]
		if p < 0 || p >= classes || t < 0 || t >= classes {
			panic(shapePanic("NewConfusion", "sample %d: prediction %d, truth %d, want both in [0, %d)", i, p, t, classes))
		}
		m.Counts[t][p]++
	}
	return m
}

// Classes is the number of classes.
func (m *ConfusionMatrix) Classes() int { return len(m.Counts) }

// Total is the number of samples counted.
func (m *ConfusionMatrix) Total() int {
	n := 0
	for _, row := range m.Counts {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Accuracy is the fraction of samples on the diagonal, 0 when there are
// none.
func (m *ConfusionMatrix) Accuracy() float64 {
	right := 0
	for c := range m.Counts {
		right += m.Counts[c][c]
	}
	return ratio(right, m.Total())
}

// Support is the number of samples whose true class is c.
func (m *ConfusionMatrix) Support(c int) int {
	n := 0
	for _, v := range m.Counts[c] {
		n += v
	}
	return n
}

// Predicted is the number of samples predicted as class c.
func (m *ConfusionMatrix) Predicted(c int) int {
	n := 0
	for _, row := range m.Counts {
		n += row[c]
	}
	return n
}

// Precision of class c: of the samples predicted c, the fraction truly c.
// It is 0 when c is never predicted.
func (m *ConfusionMatrix) Precision(c int) float64 { return ratio(m.Counts[c][c], m.Predicted(c)) }

// Recall of class c: of the samples truly c, the fraction predicted c. It
// is 0 when c never occurs.
func (m *ConfusionMatrix) Recall(c int) float64 { return ratio(m.Counts[c][c], m.Support(c)) }

// F1 of class c, the harmonic mean of its precision and recall:
// 2·TP / (2·TP + FP + FN), 0 when c neither occurs nor is predicted.
func (m *ConfusionMatrix) F1(c int) float64 {
	tp := m.Counts[c][c]
	return f1(tp, m.Predicted(c)-tp, m.Support(c)-tp)
}

// MacroPrecision is the unweighted mean of the classes' precisions, over
// the classes that occur in the truth or the predictions.
func (m *ConfusionMatrix) MacroPrecision() float64 { return m.macro(m.Precision) }

// MacroRecall is the unweighted mean of the classes' recalls, over the
// classes that occur in the truth or the predictions.
func (m *ConfusionMatrix) MacroRecall() float64 { return m.macro(m.Recall) }

// MacroF1 is the unweighted mean of the classes' F1 scores, over the
// classes that occur in the truth or the predictions.
func (m *ConfusionMatrix) MacroF1() float64 { return m.macro(m.F1) }

// WeightedPrecision is the mean of the classes' precisions weighted by
// their support.
func (m *ConfusionMatrix) WeightedPrecision() float64 { return m.weighted(m.Precision) }

// WeightedRecall is the mean of the classes' recalls weighted by their
// support; it equals Accuracy.
func (m *ConfusionMatrix) WeightedRecall() float64 { return m.weighted(m.Recall) }

// WeightedF1 is the mean of the classes' F1 scores weighted by their
// support.
func (m *ConfusionMatrix) WeightedF1() float64 { return m.weighted(m.F1) }

func (m *ConfusionMatrix) macro(f func(int) float64) float64 {
	sum, n := 0.0, 0
	for c := range m.Counts {
		if m.Support(c) > 0 || m.Predicted(c) > 0 {
			sum += f(c)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func (m *ConfusionMatrix) weighted(f func(int) float64) float64 {
	sum, n := 0.0, 0
	for c := range m.Counts {
		if s := m.Support(c); s > 0 {
			sum += float64(s) * f(c)
			n += s
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// name is the label of class c in tables.
func (m *ConfusionMatrix) name(c int) string {
	if len(m.ClassNames) == len(m.Counts) {
		return m.ClassNames[c]
	}
	return strconv.Itoa(c)
}

// String formats the matrix as a table for a terminal: one row per true
// class, one column per predicted class.
//
//	true \ pred  cat  dog
//	cat            3    1
//	dog            0    2
func (m *ConfusionMatrix) String() string {
	k := len(m.Counts)
	corner := "true \\ pred"
	first := len(corner)
	widths := make([]int, k)
	for c := range k {
		first = max(first, len(m.name(c)))
		widths[c] = len(m.name(c))
		for t := range k {
			widths[c] = max(widths[c], len(strconv.Itoa(m.Counts[t][c])))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", first, corner)
	for c := range k {
		fmt.Fprintf(&b, "  %*s", widths[c], m.name(c))
	}
	b.WriteByte('\n')
	for t := range k {
		fmt.Fprintf(&b, "%-*s", first, m.name(t))
		for c := range k {
			fmt.Fprintf(&b, "  %*d", widths[c], m.Counts[t][c])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Report formats precision, recall, F1 and support per class, then the
// accuracy and the macro and weighted averages, as scikit-learn's
// classification_report does.
func (m *ConfusionMatrix) Report() string {
	rows := make([]reportRow, 0, len(m.Counts)+3)
	for c := range m.Counts {
		rows = append(rows, reportRow{m.name(c), m.Precision(c), m.Recall(c), m.F1(c), m.Support(c), true})
	}
	total := m.Total()
	rows = append(rows,
		reportRow{name: "accuracy", f1: m.Accuracy(), support: total},
		reportRow{"macro avg", m.MacroPrecision(), m.MacroRecall(), m.MacroF1(), total, true},
		reportRow{"weighted avg", m.WeightedPrecision(), m.WeightedRecall(), m.WeightedF1(), total, true},
	)
	return formatReport(rows, len(m.Counts))
}

type reportRow struct {
	name                  string
	precision, recall, f1 float64
	support               int
	hasPrecisionAndRecall bool
}

// formatReport lays out rows as a classification report; a blank line
// separates the first perClass rows from the summary rows.
func formatReport(rows []reportRow, perClass int) string {
	w := len("weighted avg")
	for _, r := range rows {
		w = max(w, len(r.name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s  %9s  %9s  %9s  %7s\n", w, "", "precision", "recall", "f1-score", "support")
	for i, r := range rows {
		if i == perClass {
			b.WriteByte('\n')
		}
		if r.hasPrecisionAndRecall {
			fmt.Fprintf(&b, "%-*s  %9.3f  %9.3f  %9.3f  %7d\n", w, r.name, r.precision, r.recall, r.f1, r.support)
		} else {
			fmt.Fprintf(&b, "%-*s  %9s  %9s  %9.3f  %7d\n", w, r.name, "", "", r.f1, r.support)
		}
	}
	return b.String()
}

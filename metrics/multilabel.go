package metrics

import (
	"fmt"
	"strconv"

	"github.com/nabla-go/nabla/tensor"
)

// MultiLabel holds the counts that multi-label metrics are computed from:
// each of N samples carries any subset of L labels, given as a row of 0/1
// targets, and the model predicts a row of 0/1 decisions.
type MultiLabel struct {
	// TP, FP, FN and TN count, per label, the true positives, false
	// positives, false negatives and true negatives.
	TP, FP, FN, TN []int
	// Samples is N, the number of samples.
	Samples int
	// ExactMatches is the number of samples whose every label is right.
	ExactMatches int
	// LabelNames, when set (one per label), name the rows of String.
	LabelNames []string
}

// NewMultiLabel compares [N, L] scores with [N, L] targets of 0s and 1s. A
// label is predicted present where its score is above threshold: pass 0.5
// for 0/1 predictions or probabilities, 0 for logits. It panics when the
// shapes differ or are not two-dimensional, or a target is neither 0 nor 1.
func NewMultiLabel[T tensor.Float](scores, targets *tensor.Dense[T], threshold T) *MultiLabel {
	if scores.Dims() != 2 || targets.Dims() != 2 || scores.Dim(0) != targets.Dim(0) || scores.Dim(1) != targets.Dim(1) {
		panic(shapePanic("NewMultiLabel", "scores of shape %v and targets of shape %v, want equal [N, L] shapes",
			scores.Shape(), targets.Shape()))
	}
	n, l := scores.Dim(0), scores.Dim(1)
	m := &MultiLabel{
		TP: make([]int, l), FP: make([]int, l), FN: make([]int, l), TN: make([]int, l),
		Samples: n,
	}
	s, t := scores.Data(), targets.Data()
	for i := range n {
		exact := true
		for j := range l {
			k := i*l + j
			truth := t[k]
			if truth != 0 && truth != 1 {
				panic(fmt.Sprintf("metrics.NewMultiLabel: target %v at [%d, %d], want 0 or 1", truth, i, j))
			}
			pred := s[k] > threshold
			switch {
			case pred && truth == 1:
				m.TP[j]++
			case pred:
				m.FP[j]++
				exact = false
			case truth == 1:
				m.FN[j]++
				exact = false
			default:
				m.TN[j]++
			}
		}
		if exact {
			m.ExactMatches++
		}
	}
	return m
}

// Labels is L, the number of labels.
func (m *MultiLabel) Labels() int { return len(m.TP) }

// Support is the number of samples that carry label l.
func (m *MultiLabel) Support(l int) int { return m.TP[l] + m.FN[l] }

// Precision of label l: TP / (TP + FP), 0 when l is never predicted.
func (m *MultiLabel) Precision(l int) float64 { return ratio(m.TP[l], m.TP[l]+m.FP[l]) }

// Recall of label l: TP / (TP + FN), 0 when no sample carries l.
func (m *MultiLabel) Recall(l int) float64 { return ratio(m.TP[l], m.TP[l]+m.FN[l]) }

// F1 of label l: 2·TP / (2·TP + FP + FN), 0 when that is 0/0.
func (m *MultiLabel) F1(l int) float64 { return f1(m.TP[l], m.FP[l], m.FN[l]) }

// MicroPrecision pools the counts of all labels: ΣTP / (ΣTP + ΣFP).
func (m *MultiLabel) MicroPrecision() float64 {
	tp, fp, _ := m.sums()
	return ratio(tp, tp+fp)
}

// MicroRecall pools the counts of all labels: ΣTP / (ΣTP + ΣFN).
func (m *MultiLabel) MicroRecall() float64 {
	tp, _, fn := m.sums()
	return ratio(tp, tp+fn)
}

// MicroF1 pools the counts of all labels: 2ΣTP / (2ΣTP + ΣFP + ΣFN).
func (m *MultiLabel) MicroF1() float64 { return f1(m.sums()) }

// MacroPrecision is the unweighted mean of the labels' precisions, over all
// labels.
func (m *MultiLabel) MacroPrecision() float64 { return m.macro(m.Precision) }

// MacroRecall is the unweighted mean of the labels' recalls, over all
// labels.
func (m *MultiLabel) MacroRecall() float64 { return m.macro(m.Recall) }

// MacroF1 is the unweighted mean of the labels' F1 scores, over all labels.
func (m *MultiLabel) MacroF1() float64 { return m.macro(m.F1) }

// SubsetAccuracy is the fraction of samples whose predicted label set is
// exactly right (scikit-learn's accuracy_score on indicator matrices), 0
// when there are no samples.
func (m *MultiLabel) SubsetAccuracy() float64 { return ratio(m.ExactMatches, m.Samples) }

// HammingLoss is the fraction of wrong sample-label decisions:
// (ΣFP + ΣFN) / (N·L), 0 when there are none.
func (m *MultiLabel) HammingLoss() float64 {
	_, fp, fn := m.sums()
	return ratio(fp+fn, m.Samples*m.Labels())
}

func (m *MultiLabel) sums() (tp, fp, fn int) {
	for l := range m.TP {
		tp += m.TP[l]
		fp += m.FP[l]
		fn += m.FN[l]
	}
	return tp, fp, fn
}

func (m *MultiLabel) macro(f func(int) float64) float64 {
	if m.Labels() == 0 {
		return 0
	}
	sum := 0.0
	for l := range m.TP {
		sum += f(l)
	}
	return sum / float64(m.Labels())
}

// String formats a report: precision, recall, F1 and support per label, the
// micro and macro averages, subset accuracy and Hamming loss.
func (m *MultiLabel) String() string {
	rows := make([]reportRow, 0, m.Labels()+2)
	support := 0
	for l := range m.TP {
		name := strconv.Itoa(l)
		if len(m.LabelNames) == m.Labels() {
			name = m.LabelNames[l]
		}
		rows = append(rows, reportRow{name, m.Precision(l), m.Recall(l), m.F1(l), m.Support(l), true})
		support += m.Support(l)
	}
	rows = append(rows,
		reportRow{"micro avg", m.MicroPrecision(), m.MicroRecall(), m.MicroF1(), support, true},
		reportRow{"macro avg", m.MacroPrecision(), m.MacroRecall(), m.MacroF1(), support, true},
	)
	return formatReport(rows, m.Labels()) +
		fmt.Sprintf("\nsubset accuracy %.3f, Hamming loss %.3f over %d samples\n", m.SubsetAccuracy(), m.HammingLoss(), m.Samples)
}

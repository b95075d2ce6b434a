// Package metrics measures classifiers: accuracy, confusion matrices,
// precision, recall and F1 for single-label problems, and their multi-label
// counterparts with subset accuracy and Hamming loss.
//
// Callers go from scores to predictions to metrics:
//
//	pred := metrics.ArgMax(logits)          // [N, C] scores -> []int
//	fmt.Println(metrics.Accuracy(pred, y))
//	cm := metrics.NewConfusion(pred, y, 10)
//	fmt.Print(cm, cm.Report())
//
// # Conventions
//
// The definitions follow scikit-learn's. Where a ratio has a zero
// denominator the metric is 0, as scikit-learn's zero_division=0: a class
// that is never predicted has precision 0, a class that never occurs has
// recall 0, and F1 is 2·TP / (2·TP + FP + FN), 0 when that is 0/0.
//
// Macro averages are unweighted means over classes (for single-label
// problems, over the classes that occur in the truth or the predictions,
// which is scikit-learn's default; for multi-label problems, over all
// labels). Weighted averages weight each class by its support, the number of
// true samples of that class. Micro averages pool the counts of all labels.
//
// Mismatched lengths or shapes are programmer errors: they panic with an
// error that wraps tensor.ErrShape, as the tensor package does.
package metrics

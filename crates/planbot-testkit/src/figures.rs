//! How the benches print their figures.

/// The value at fraction `p` of `sorted` (nearest rank).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// One line: median, p99 and max of `ms`, and the target they answer to.
pub fn report(name: &str, mut ms: Vec<f64>, target: &str) {
    ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{name:<52} median {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  (n={}, target {target})",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms[ms.len() - 1],
        ms.len()
    );
}

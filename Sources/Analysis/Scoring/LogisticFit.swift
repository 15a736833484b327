import Foundation

/// A class-balanced, L2-regularised logistic regression with non-negative weights, fitted by
/// Newton's method: small (a handful of features), exact and dependency-free.
///
/// Non-negative because every score term must read as "more of this, better candidate": a term
/// the data would weigh negatively is dropped (weight 0) and the rest refitted.
struct LogisticFit {
    /// Rows of `features` values each, flattened.
    let x: [Double]
    let labels: [Bool]
    let features: Int
    /// L2 penalty on the standardised weights.
    let lambda: Double

    /// The weights, one per feature (≥ 0), on the features' own scale.
    func weights() -> [Double] {
        let n = labels.count
        guard n > 0, labels.contains(true), labels.contains(false) else { return Array(repeating: 0, count: features) }
        // Standardise so that one penalty fits every feature and Newton's steps are well conditioned.
        var mean = Array(repeating: 0.0, count: features)
        var sd = Array(repeating: 0.0, count: features)
        for i in 0..<n { for k in 0..<features { mean[k] += x[i * features + k] } }
        for k in 0..<features { mean[k] /= Double(n) }
        for i in 0..<n {
            for k in 0..<features {
                let d = x[i * features + k] - mean[k]
                sd[k] += d * d
            }
        }
        for k in 0..<features { sd[k] = (sd[k] / Double(n)).squareRoot() }
        let positives = labels.filter { $0 }.count
        let weightOf = (
            positive: Double(n) / (2 * Double(positives)), negative: Double(n) / (2 * Double(n - positives))
        )
        var active = (0..<features).filter { sd[$0] > 1e-12 }
        while true {
            let w = newton(active: active, mean: mean, sd: sd, weightOf: weightOf)
            // Drop the most negative weight, if any, and refit without it.
            guard let worst = active.indices.min(by: { w[$0] < w[$1] }), w[worst] < 0 else {
                var out = Array(repeating: 0.0, count: features)
                for (j, k) in active.enumerated() { out[k] = max(0, w[j]) / sd[k] }
                return out
            }
            active.remove(at: worst)
        }
    }

    /// Newton's method on the active features; returns their standardised weights.
    private func newton(
        active: [Int], mean: [Double], sd: [Double], weightOf: (positive: Double, negative: Double)
    ) -> [Double] {
        let m = active.count + 1  // the intercept last
        var beta = Array(repeating: 0.0, count: m)
        let n = labels.count
        var z = Array(repeating: 0.0, count: m)
        for _ in 0..<30 {
            var gradient = Array(repeating: 0.0, count: m)
            var hessian = Array(repeating: 0.0, count: m * m)
            for i in 0..<n {
                for (j, k) in active.enumerated() { z[j] = (x[i * features + k] - mean[k]) / sd[k] }
                z[m - 1] = 1
                var t = 0.0
                for j in 0..<m { t += beta[j] * z[j] }
                let p = 1 / (1 + exp(-t))
                let s = labels[i] ? weightOf.positive : weightOf.negative
                let g = s * (p - (labels[i] ? 1 : 0))
                let h = s * p * (1 - p)
                for j in 0..<m {
                    gradient[j] += g * z[j]
                    let hz = h * z[j]
                    for l in j..<m { hessian[j * m + l] += hz * z[l] }
                }
            }
            for j in 0..<m { for l in 0..<j { hessian[j * m + l] = hessian[l * m + j] } }
            for j in 0..<(m - 1) {
                gradient[j] += lambda * beta[j]
                hessian[j * m + j] += lambda
            }
            let step = Self.solve(hessian, gradient, size: m)
            var largest = 0.0
            for j in 0..<m {
                beta[j] -= step[j]
                largest = max(largest, abs(step[j]))
            }
            if largest < 1e-9 { break }
        }
        return Array(beta.prefix(active.count))
    }

    /// Solves `a · v = b` (a symmetric positive definite, `size`²) by Gaussian elimination.
    static func solve(_ a: [Double], _ b: [Double], size m: Int) -> [Double] {
        var a = a
        var b = b
        for col in 0..<m {
            let pivot = (col..<m).max { abs(a[$0 * m + col]) < abs(a[$1 * m + col]) } ?? col
            if pivot != col {
                for k in 0..<m { a.swapAt(col * m + k, pivot * m + k) }
                b.swapAt(col, pivot)
            }
            let d = a[col * m + col]
            guard abs(d) > 1e-300 else { continue }
            for row in (col + 1)..<m {
                let f = a[row * m + col] / d
                guard f != 0 else { continue }
                for k in col..<m { a[row * m + k] -= f * a[col * m + k] }
                b[row] -= f * b[col]
            }
        }
        var v = Array(repeating: 0.0, count: m)
        for row in stride(from: m - 1, through: 0, by: -1) {
            var s = b[row]
            for k in (row + 1)..<m { s -= a[row * m + k] * v[k] }
            let d = a[row * m + row]
            v[row] = abs(d) > 1e-300 ? s / d : 0
        }
        return v
    }
}

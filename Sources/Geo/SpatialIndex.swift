import Foundation

/// A uniform grid of points for nearest-neighbour and radius queries over France.
///
/// Cells are 0.05° square (about 5.5 × 3.5 km in France: a city's thousands of shops spread over
/// many cells); a query walks rings of cells outward and stops once no unvisited cell can hold a
/// closer point, or scans the occupied cells directly when they are fewer than a ring's.
public struct SpatialIndex<Payload: Sendable>: Sendable {
    public struct Entry: Sendable {
        public let coordinate: Coordinate
        public let payload: Payload
    }

    private struct Cell: Hashable { let x: Int32, y: Int32 }

    private let cellDegrees = 0.05
    /// A lower bound of one cell's width in km below 60° of latitude (lon degrees shrink with cos).
    private let minCellKm = 0.05 * 111.19 * 0.5
    private var cells: [Cell: [Entry]] = [:]
    public private(set) var count = 0

    public init() {}

    public init(_ entries: some Sequence<(Coordinate, Payload)>) {
        for (c, p) in entries { insert(c, p) }
    }

    public mutating func insert(_ coordinate: Coordinate, _ payload: Payload) {
        guard coordinate.isValid else { return }
        cells[cell(of: coordinate), default: []].append(Entry(coordinate: coordinate, payload: payload))
        count += 1
    }

    private func cell(of c: Coordinate) -> Cell {
        Cell(x: Int32((c.lon / cellDegrees).rounded(.down)), y: Int32((c.lat / cellDegrees).rounded(.down)))
    }

    /// The nearest entry to `point` and its distance in km, optionally among entries passing `filter`.
    /// Gives up beyond `maxKm`.
    public func nearest(to point: Coordinate, maxKm: Double = 1000, where filter: (Payload) -> Bool = { _ in true }) -> (Entry, Double)? {
        guard count > 0, point.isValid else { return nil }
        let center = cell(of: point)
        var best: (Entry, Double)?
        let maxRing = Int(maxKm / minCellKm) + 2
        func consider(_ entries: [Entry]) {
            for e in entries where filter(e.payload) {
                let d = point.distanceKm(to: e.coordinate)
                if d <= maxKm && (best == nil || d < best!.1) { best = (e, d) }
            }
        }
        var ring = 0
        while ring <= maxRing {
            if let b = best, Double(ring - 1) * minCellKm > b.1 { break }
            // Sparse index (one region's sites, say): once a ring has more cells than the index
            // holds, scanning every remaining occupied cell once is cheaper than walking empty
            // rings out to maxKm.
            if 8 * ring > cells.count {
                for (cell, entries) in cells where max(abs(cell.x - center.x), abs(cell.y - center.y)) >= Int32(ring) { consider(entries) }
                break
            }
            forEachCell(inRing: ring, around: center, consider)
            ring += 1
        }
        return best
    }

    /// Every entry within `radiusKm` of `point`, with its distance.
    public func within(_ radiusKm: Double, of point: Coordinate) -> [(Entry, Double)] {
        guard point.isValid else { return [] }
        let center = cell(of: point)
        let rings = Int(radiusKm / minCellKm) + 1
        var out: [(Entry, Double)] = []
        for ring in 0...rings {
            forEachCell(inRing: ring, around: center) { entries in
                for e in entries {
                    let d = point.distanceKm(to: e.coordinate)
                    if d <= radiusKm { out.append((e, d)) }
                }
            }
        }
        return out
    }

    private func forEachCell(inRing ring: Int, around c: Cell, _ body: ([Entry]) -> Void) {
        let r = Int32(ring)
        if ring == 0 { if let e = cells[c] { body(e) }; return }
        for dx in -r...r {
            if let e = cells[Cell(x: c.x + dx, y: c.y - r)] { body(e) }
            if let e = cells[Cell(x: c.x + dx, y: c.y + r)] { body(e) }
        }
        for dy in (-r + 1)..<r {
            if let e = cells[Cell(x: c.x - r, y: c.y + dy)] { body(e) }
            if let e = cells[Cell(x: c.x + r, y: c.y + dy)] { body(e) }
        }
    }
}

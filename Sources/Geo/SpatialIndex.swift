import Foundation

/// A uniform grid of points for nearest-neighbour and radius queries over France.
///
/// Cells are 0.05° square (about 5.5 × 3.5 km in France: a city's thousands of shops spread over
/// many cells); a query walks rings of cells outward and stops once no unvisited cell can hold a
/// closer point, or scans the occupied cells directly when they are fewer than a ring's.
///
/// Inlinable: the analysis asks it millions of times from another module, and calls to the
/// unspecialised generic (a metadata lookup each) took half of the national distance searches.
public struct SpatialIndex<Payload: Sendable>: Sendable {
    /// A point and what it stands for.
    public struct Entry: Sendable {
        public let coordinate: Coordinate
        public let payload: Payload

        @usableFromInline init(coordinate: Coordinate, payload: Payload) {
            self.coordinate = coordinate
            self.payload = payload
        }
    }

    @usableFromInline struct Cell: Hashable, Sendable {
        @usableFromInline let x: Int32, y: Int32
        @usableFromInline init(x: Int32, y: Int32) {
            self.x = x
            self.y = y
        }
    }

    @usableFromInline let cellDegrees = 0.05
    /// A lower bound of one cell's width in km below 60° of latitude (lon degrees shrink with cos).
    @usableFromInline let minCellKm = 0.05 * 111.19 * 0.5
    @usableFromInline var cells: [Cell: [Entry]] = [:]
    /// The occupied cells' extent: rings are clipped to it, so sparse indexes stay cheap.
    @usableFromInline var minX = Int32.max, maxX = Int32.min, minY = Int32.max, maxY = Int32.min
    /// How many entries the index holds.
    @inlinable public var count: Int { entryCount }
    @usableFromInline var entryCount = 0

    /// An empty index.
    @inlinable public init() {}

    /// An index of `entries`.
    @inlinable public init(_ entries: some Sequence<(Coordinate, Payload)>) {
        for (c, p) in entries { insert(c, p) }
    }

    /// Adds a point (an invalid coordinate is ignored: it cannot be near anything).
    @inlinable public mutating func insert(_ coordinate: Coordinate, _ payload: Payload) {
        guard coordinate.isValid else { return }
        let c = cell(of: coordinate)
        cells[c, default: []].append(Entry(coordinate: coordinate, payload: payload))
        minX = min(minX, c.x)
        maxX = max(maxX, c.x)
        minY = min(minY, c.y)
        maxY = max(maxY, c.y)
        entryCount += 1
    }

    @inlinable func cell(of c: Coordinate) -> Cell {
        Cell(x: Int32((c.lon / cellDegrees).rounded(.down)), y: Int32((c.lat / cellDegrees).rounded(.down)))
    }

    /// The nearest entry to `point` and its distance in km, optionally among entries passing `filter`.
    /// Gives up beyond `maxKm`.
    @inlinable public func nearest(
        to point: Coordinate, maxKm: Double = 1000, where filter: (Payload) -> Bool = { _ in true }
    ) -> (Entry, Double)? {
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
        // Rings nearer than the occupied extent are empty; rings beyond it add nothing.
        var ring = Int(max(0, minX - center.x, center.x - maxX, minY - center.y, center.y - maxY))
        if Double(ring - 1) * minCellKm > maxKm { return nil }
        let lastRing = min(
            maxRing, Int(max(abs(center.x - minX), abs(center.x - maxX), abs(center.y - minY), abs(center.y - maxY))))
        while ring <= lastRing {
            if let b = best, Double(ring - 1) * minCellKm > b.1 { break }
            // Sparse index (one region's sites, say): once a ring has more cells than the index
            // holds, scanning every remaining occupied cell once is cheaper than walking empty
            // rings out to maxKm.
            if 8 * ring > cells.count {
                for (cell, entries) in cells where max(abs(cell.x - center.x), abs(cell.y - center.y)) >= Int32(ring) {
                    consider(entries)
                }
                break
            }
            forEachCell(inRing: ring, around: center, consider)
            ring += 1
        }
        return best
    }

    /// Every entry within `radiusKm` of `point`, with its distance.
    @inlinable public func within(_ radiusKm: Double, of point: Coordinate) -> [(Entry, Double)] {
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

    /// Calls `body` with the entries of each occupied cell at Chebyshev distance `ring` from `c`,
    /// walking only the part of the ring inside the occupied extent.
    @inlinable func forEachCell(inRing ring: Int, around c: Cell, _ body: ([Entry]) -> Void) {
        guard count > 0 else { return }
        let r = Int32(ring)
        if ring == 0 {
            if let e = cells[c] { body(e) }
            return
        }
        let x0 = max(c.x - r, minX)
        let x1 = min(c.x + r, maxX)
        if x0 <= x1 {
            for y in [c.y - r, c.y + r] where y >= minY && y <= maxY {
                for x in x0...x1 { if let e = cells[Cell(x: x, y: y)] { body(e) } }
            }
        }
        let y0 = max(c.y - r + 1, minY)
        let y1 = min(c.y + r - 1, maxY)
        if y0 <= y1 {
            for x in [c.x - r, c.x + r] where x >= minX && x <= maxX {
                for y in y0...y1 { if let e = cells[Cell(x: x, y: y)] { body(e) } }
            }
        }
    }
}

import Foundation

/// Places longitudes and latitudes in a drawing: an equirectangular projection about the
/// extent's middle latitude, y downwards. Across a few départements its scale error stays under
/// 1 %, which a scale bar can honestly state; a national map is still readable (about 4 % off
/// at its northern and southern edges).
struct MapFrame {
    /// Size of the map area, in SVG user units (pixels), margins included.
    let width: Double
    let height: Double
    let margin = 12.0
    private let west: Double
    private let north: Double
    /// Units per degree of latitude.
    private let scale: Double
    private let cosLatitude: Double

    /// Fits `bounds` (degrees) into at most `maxWidth` × `maxHeight`, keeping proportions.
    init(
        bounds: (minLat: Double, minLon: Double, maxLat: Double, maxLon: Double), maxWidth: Double = 820,
        maxHeight: Double = 900
    ) {
        // A single commune still gets a few kilometres around it.
        let pad = 0.02
        let minLat = bounds.minLat - pad
        let maxLat = bounds.maxLat + pad
        let minLon = bounds.minLon - pad
        let maxLon = bounds.maxLon + pad
        cosLatitude = cos((minLat + maxLat) / 2 * .pi / 180)
        let spanX = (maxLon - minLon) * cosLatitude
        let spanY = maxLat - minLat
        scale = min((maxWidth - 2 * margin) / spanX, (maxHeight - 2 * margin) / spanY)
        width = (spanX * scale + 2 * margin).rounded(.up)
        height = (spanY * scale + 2 * margin).rounded(.up)
        west = minLon
        north = maxLat
    }

    func x(_ lon: Double) -> Double { margin + (lon - west) * cosLatitude * scale }
    func y(_ lat: Double) -> Double { margin + (north - lat) * scale }

    /// Units per kilometre (a degree of latitude is 111.2 km at French latitudes).
    var unitsPerKm: Double { scale / 111.2 }

    /// A round distance (1, 2, 5 × 10ⁿ km) whose bar spans about a fifth of the map's width.
    var scaleBarKm: Double {
        let target = width / 5 / unitsPerKm
        let magnitude = pow(10, floor(log10(target)))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.last { $0 <= target } ?? magnitude
    }
}

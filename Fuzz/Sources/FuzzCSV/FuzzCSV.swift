import Formats
import FuzzSupport

/// libFuzzer entry point: any bytes through the CSV reader must end in records or a FormatError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let csv = try? CSVReader(source: MemoryByteSource(bytes), maxRecordBytes: 4096, chunkSize: 64) else {
        return 0
    }
    while (try? csv.next()) == true {
        for i in 0..<csv.count { _ = csv.string(i) }
        _ = csv.isWellEncoded
    }
    return 0
}

@_cdecl("FuzzCSV_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzCSV(data, size) }
}

import Formats
import Foundation
import Pipeline
import Testing

/// The config reader against Python's `tomllib` (the reference): the same documents must be
/// accepted or refused alike, and read to the same values. Documents: the repository's configs,
/// the reproducer of the multi-line array with a comment, and edge cases of the TOML 1.0
/// specification.
@Suite struct TOMLConformanceTests {
    /// Valid documents (by the specification), then invalid ones.
    static let documents: [(name: String, text: String)] = [
        (
            "reproducer",
            """
            [geography]
            target_vintage = 2026
            [[export]]
            format = "csv"
            dep = [ # Creuse
              "23",
            ]
            output = "x.csv"
            """
        ),
        (
            "dotted-keys",
            "name = \"x\"\nphysical.color = \"orange\"\nphysical.shape = \"round\"\nsite.\"google.com\" = true\n"
        ),
        (
            "multiline-strings",
            "a = \"\"\"\nRoses are red\nViolets are blue\"\"\"\nb = \"\"\"\\\n  The quick \\\n  brown fox.\"\"\"\n"
                + "c = '''\nI [dw]on't need \\d{2} apples'''\nd = \"\"\"Here are two quotation marks: \"\". Simple.\"\"\"\n"
                + "e = '''That's still pointless''' # not \"\"\" there\n"
        ),
        (
            "arrays-with-comments",
            "integers = [ 1, 2, 3 ]\ncolors = [ \"red\", \"yellow\", \"green\" ]\nnested = [ [ 1, 2 ], [\"a\", \"b\"] ]\n"
                + "mixed = [ 0.1, 0.2, 0.5, 1, 2, 5 ]\nmultiline = [\n  1, # one\n  2, # two\n  # nothing\n  3,\n]\n"
                + "strings = [ \"all\", 'strings', \"\"\"are the same\"\"\", '''type''' ]\n"
        ),
        (
            "escapes",
            "s = \"tab\\there, quote \\\" backslash \\\\ é \\u00E9 \\U0001F1EB\\U0001F1F7\"\nlit = 'C:\\Users\\nodejs'\n"
        ),
        (
            "inline-tables",
            "name = { first = \"Tom\", last = \"Preston-Werner\" }\npoint = { x = 1, y = 2 }\n"
                + "animal = { type.name = \"pug\" }\n[analysis]\nweights = { lost = 4, vitality = 0.5 }\n"
        ),
        (
            "dates",
            "odt1 = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T00:32:00-07:00\nodt3 = 1979-05-27T00:32:00.999999-07:00\n"
                + "odt4 = 1979-05-27 07:32:00Z\nldt1 = 1979-05-27T07:32:00\nldt2 = 1979-05-27T00:32:00.5\n"
                + "ld1 = 1979-05-27\nlt1 = 07:32:00\nlt2 = 00:32:00.999999\n"
        ),
        (
            "numbers",
            "int1 = +99\nint2 = -17\nint3 = 1_000\nhex = 0xDEAD_beef\noct = 0o755\nbin = 0b1101_0110\n"
                + "big = 9_223_372_036_854_775_807\nflt1 = +1.0\nflt2 = 3.1415\nflt3 = -0.01\nflt4 = 5e+22\n"
                + "flt5 = 1e06\nflt6 = -2E-2\nflt7 = 6.626e-34\nflt8 = 224_617.445_991_228\nsf1 = inf\nsf2 = -inf\n"
                + "t = true\nf = false\n"
        ),
        (
            "tables",
            "[dog.\"tater.man\"]\ntype.name = \"pug\"\n[ j . \"ʞ\" . 'l' ]\nx = 1\n[[fruits]]\nname = \"apple\"\n"
                + "[fruits.physical]\ncolor = \"red\"\n[[fruits.varieties]]\nname = \"red delicious\"\n[[fruits]]\nname = \"banana\"\n"
        ),
        (
            "quoted-keys",
            "\"127.0.0.1\" = \"value\"\n\"character encoding\" = \"value\"\n'key2' = \"value\"\n\"\" = \"blank\"\n"
        ),
        ("empty", ""),
        ("comments-only", "# nothing here\n\n   # indented\n"),
        // Invalid by the specification.
        ("duplicate-key", "name = \"Tom\"\nname = \"Pradyun\"\n"),
        ("redefined-table", "[fruit]\napple = \"red\"\n[fruit]\norange = \"orange\"\n"),
        ("unterminated-string", "s = \"abc\n"),
        ("invalid-escape", "s = \"\\x41\"\n"),
        ("trailing-comma-inline", "point = { x = 1, y = 2, }\n"),
        ("leading-zero", "n = 012\n"),
        ("newline-in-basic-string", "s = \"a\nb\"\n"),
        ("bare-key-space", "a b = 1\n"),
        ("missing-value", "key = # nothing\n"),
        ("extend-inline-table", "a = { b = 1 }\na.c = 2\n"),
        ("text-after-value", "a = 1 b = 2\n"),
        ("unclosed-array", "a = [1, 2\n"),
    ]

    /// Writes every document (and the repository's configs) and reads them with tomllib.
    static func reference(_ paths: [String]) throws -> [String: Any] {
        let script = TestSupport.packageRoot + "/Tests/RuralmapTests/Support/toml_reference.py"
        let run = try TestSupport.command(["python3", script] + paths)
        guard run.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        else { throw TestFailure("tomllib reference failed: \(run.output)") }
        return object
    }

    @Test func sameDecisionsAndValuesAsTomllib() throws {
        let dir = try TestSupport.temporaryDirectory()
        var paths: [String] = []
        for (name, text) in Self.documents {
            try text.write(toFile: "\(dir)/\(name).toml", atomically: true, encoding: .utf8)
            paths.append("\(dir)/\(name).toml")
        }
        for config in ["ruralmapd.toml", "demo.toml"] { paths.append(TestSupport.packageRoot + "/Config/" + config) }
        let reference = try Self.reference(paths)
        #expect(reference.count == paths.count)
        var valid = 0
        for path in paths {
            let expected = try #require(reference[path] as? [String: Any], "\(path)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let ours = Result { try TOMLDocument(parsing: text) }
            let accepted = expected["ok"] as? Bool == true
            let parsed = (try? ours.get()) != nil
            #expect(parsed == accepted, "\(path): tomllib \(accepted ? "accepts" : "refuses"), ours \(ours)")
            guard accepted, let document = try? ours.get() else { continue }
            valid += 1
            let theirs = try JSONSerialization.data(withJSONObject: expected["value"]!, options: [.sortedKeys])
            let mine = try JSONSerialization.data(withJSONObject: Self.canonical(document), options: [.sortedKeys])
            #expect(String(decoding: mine, as: UTF8.self) == String(decoding: theirs, as: UTF8.self), "\(path)")
        }
        #expect(valid == 14)  // the 12 valid documents and the 2 configs
    }

    @Test func theReproducerConfigLoadsAndErrorsKeepTheirLines() throws {
        let dir = try TestSupport.temporaryDirectory()
        let text = """
            [geography]
            target_vintage = 2026

            [[export]]
            format = "csv"
            dep = [ # Creuse
              "23",
            ]
            output = "creuse.csv"

            [[export]]
            format = "geojson"
            dep = [
              "23", # and Haute-Vienne:
              "87",
            ]
            outptu = "x.geojson"
            """
        try text.write(toFile: dir + "/c.toml", atomically: true, encoding: .utf8)
        do {
            _ = try Config.load(path: dir + "/c.toml")
            Issue.record("a misspelt key must be refused")
        } catch {
            // The second export's misspelt key, named with its line.
            #expect("\(error)".contains("line 17: unknown key outptu in [export]"), "\(error)")
        }
        try text.replacingOccurrences(of: "outptu", with: "output").write(
            toFile: dir + "/c.toml", atomically: true, encoding: .utf8)
        let config = try Config.load(path: dir + "/c.toml")
        #expect(config.exports.map(\.departements) == [["23"], ["23", "87"]])
        #expect(config.exports.map(\.output) == [dir + "/creuse.csv", dir + "/x.geojson"])
    }

    /// The same canonical form as the reference script.
    static func canonical(_ document: TOMLDocument) -> [String: Any] {
        var out = canonical(document.root)
        for (name, table) in document.tables { out[name] = canonical(table) }
        for (name, tables) in document.arrays { out[name] = tables.map(canonical) }
        return out
    }

    static func canonical(_ table: TOMLDocument.Table) -> [String: Any] {
        Dictionary(table.entries.map { ($0.key, canonical($0.value)) }, uniquingKeysWith: { a, _ in a })
    }

    static func canonical(_ value: TOMLDocument.Value) -> Any {
        switch value {
        case .string(let s): s
        case .integer(let n): ["int": String(n)]
        case .float(let d): ["float": d.isInfinite ? (d > 0 ? "inf" : "-inf") : "\(d)"]
        case .bool(let b): ["bool": b]
        case .datetime(let text): ["datetime": text]
        case .array(let values): values.map(canonical)
        case .table(let table): canonical(table)
        }
    }
}

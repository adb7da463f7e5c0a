import Foundation
import GRDB
@testable import GridbookCore
import Testing

@Suite("Workbooks the program writes read back exactly")
struct SpreadsheetFidelityTests {
    /// Text that XML alone would change or drop, and text that looks like an Office escape.
    static let texts = [
        "两户\r\n争执", "回车\r结尾\r", "换行\n", "\t制表符\t", "控制\u{01}字符", "单元\u{1F}分隔", "\u{0B}\u{0C}\u{00}",
        "_x000D_", "字面_x000D_和_x0001_", "_x005F_", "_X000D_", "_x00G1_", "_x000d_", "__x000D__", "_x", "a_",
        "网格员", "😀👍🏻", "<&>\"'", "\u{FFFE}\u{FFFF}", "\u{85}\u{7F}",
    ]

    @Test("a cell's text written by XLSXWriter is read by XLSXSheet exactly: CR, controls, literal escapes, CJK, emoji")
    func writerToReader() throws {
        let directory = try SeedDirectory([:])
        let url = directory.url.appendingPathComponent("notes.xlsx")
        let writer = try XLSXWriter(destination: url)
        try writer.append(["note"])
        for text in Self.texts { try writer.append([text]) }
        try writer.append(Self.texts)
        try writer.finish()
        var rows: [[String]] = []
        try XLSXSheet(contentsOf: url).forEachRow { rows.append($0.cells) }
        #expect(rows == [["note"]] + Self.texts.map { [$0] } + [Self.texts])
    }

    @Test("the escapes are Office XML's, as Excel writes them")
    func escapesAsExcelWrites() {
        var buffer: [UInt8] = []
        XLSXWriter.appendEscaped("a\r\nb\u{01}_x000D_ _x12_ <\u{FFFF}>", to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "a_x000D_\nb_x0001__x005F_x000D_ _x12_ &lt;_xFFFF_&gt;")
    }

    @Test("a visit note with CR LF and a control character survives an xlsx export and import")
    func exportImportRoundTrip() async throws {
        var files = smallCounty
        let note = "两户\r\n争执\u{01}_x000D_"
        let id = "00000000-0000-4000-8000-000000000004"
        files["visits.csv"] = files["visits.csv"]!.replacingOccurrences(of: "家中无人", with: "\"\(note)\"")
        let seeds = try SeedDirectory(files)
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(try await database.read { try String.fetchOne($0, sql: "SELECT note FROM visits WHERE id = ?", arguments: [UUIDKey(id)]) } == note)
        let exported = try SeedDirectory([:])
        _ = try await database.exportSeeds(to: exported.url, format: .xlsx)
        let again = try await database.importSeeds(from: exported.url, options: ImportOptions(now: testNow))
        #expect(!again.changedAnything)
        #expect(try await database.read { try String.fetchOne($0, sql: "SELECT note FROM visits WHERE id = ?", arguments: [UUIDKey(id)]) } == note)
    }
}

import Foundation
@testable import GridbookCore
import Testing
import ZIPFoundation

/// A temporary .xlsx file made of the given parts (zip path → content), removed when the test ends.
private struct XLSXFile: ~Copyable {
    let url: URL

    /// Zips `parts` (deflated, as Excel does) into a new temporary file, or into `url`.
    init(_ parts: [String: String], at url: URL? = nil) throws {
        self.url = url ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-test-\(UUID().uuidString).xlsx")
        let archive = try Archive(url: self.url, accessMode: .create)
        for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    /// Writes raw bytes that are not a zip at all.
    init(bytes: [UInt8]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-test-\(UUID().uuidString).xlsx")
        try Data(bytes).write(to: url)
    }

    /// The first sheet's rows, as the reader hands them out.
    func rows() throws -> [XLSXSheet.Row] {
        var rows: [XLSXSheet.Row] = []
        try XLSXSheet(contentsOf: url).forEachRow { rows.append($0) }
        return rows
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The parts of a minimal workbook whose only sheet is `sheetData` (the rows, as XML).
private func workbookParts(_ sheetData: String, sharedStrings: [String]? = nil, styles: String? = nil,
                   workbookPr: String = "") -> [String: String] {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    var parts = [
        "[Content_Types].xml": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>
            """,
        "_rels/.rels": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="\(relationships)/officeDocument" Target="xl/workbook.xml"/>
            </Relationships>
            """,
        "xl/workbook.xml": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="\(main)" xmlns:r="\(relationships)">\(workbookPr)
            <sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>
            """,
        "xl/_rels/workbook.xml.rels": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="\(relationships)/worksheet" Target="worksheets/sheet1.xml"/>
            <Relationship Id="rId2" Type="\(relationships)/sharedStrings" Target="sharedStrings.xml"/>
            <Relationship Id="rId3" Type="\(relationships)/styles" Target="styles.xml"/>
            </Relationships>
            """,
        "xl/worksheets/sheet1.xml": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="\(main)" xmlns:r="\(relationships)"><sheetData>\(sheetData)</sheetData></worksheet>
            """,
    ]
    if let sharedStrings {
        parts["xl/sharedStrings.xml"] = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <sst xmlns="\(main)" count="\(sharedStrings.count)" uniqueCount="\(sharedStrings.count)">\(sharedStrings.joined())</sst>
            """
    }
    if let styles {
        parts["xl/styles.xml"] = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="\(main)">\(styles)</styleSheet>
            """
    }
    return parts
}

/// Cell styles: 0 General, 1 built-in date 14 (yyyy/m/d), 2 custom yyyy"年"m"月"d"日", 3 built-in
/// date-time 22, 4 custom elapsed [h]:mm:ss, 5 custom 0.0"d" (a d in quotes), 6 [Red]0.00,
/// 7 built-in [h]:mm:ss (46), 8 custom h:mm.
private let dateStyles = """
    <numFmts count="4"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>\
    <numFmt numFmtId="177" formatCode="[h]:mm:ss"/><numFmt numFmtId="178" formatCode="0.0&quot;d&quot;"/>\
    <numFmt numFmtId="179" formatCode="[Red]0.00"/><numFmt numFmtId="180" formatCode="h:mm"/></numFmts>
    <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
    <cellXfs count="9"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="176"/>\
    <xf numFmtId="22"/><xf numFmtId="177"/><xf numFmtId="178"/><xf numFmtId="179"/><xf numFmtId="46"/><xf numFmtId="180"/></cellXfs>
    """

/// One row of number cells, each `(value, style)`, from column A.
private func numberRow(_ cells: [(String, Int)]) -> String {
    let columns = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return "<row r=\"1\">" + cells.enumerated().map { index, cell in
        "<c r=\"\(columns[index])1\" s=\"\(cell.1)\"><v>\(cell.0)</v></c>"
    }.joined() + "</row>"
}

@Suite("XLSXSheet")
struct XLSXSheetTests {
    @Test("shared strings are read, rich-text runs joined, phonetic runs and Office escapes handled")
    func sharedStrings() throws {
        let file = try XLSXFile(workbookParts(
            #"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>"#
                + #"<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>"#,
            sharedStrings: [
                "<si><t>户主姓名</t></si>",
                #"<si><r><t>张</t></r><r><rPr><b/></rPr><t xml:space="preserve">三 </t></r><r><t>丰</t></r></si>"#,
                #"<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>"#,
                "<si><t>a_x000D_\nb &amp; _x005F_x0041_</t></si>",
                "<si><t/></si>",
            ]))
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: ["户主姓名", "张三 丰", "東京", "a\r\nb & _x0041_"])])
    }

    @Test("inline strings and formula string results are read as stored")
    func inlineStrings() throws {
        let file = try XLSXFile(workbookParts(
            #"<row r="1"><c r="A1" t="inlineStr"><is><t>幸福社区</t></is></c>"#
                + #"<c r="B1" t="inlineStr"><is><r><t>新</t></r><r><t>村</t></r></is></c>"#
                + #"<c r="C1" t="str"><f>A1&amp;"一组"</f><v>幸福社区一组</v></c></row>"#))
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: ["幸福社区", "新村", "幸福社区一组"])])
    }

    @Test("numbers come out as typed: no .0, no binary noise, exponent forms as stored")
    func numbers() throws {
        let file = try XLSXFile(workbookParts(
            #"<row r="1"><c r="A1"><v>42</v></c><c r="B1" t="n"><v>42.0</v></c><c r="C1"><v>3.25</v></c>"#
                + #"<c r="D1"><v>13905551234</v></c><c r="E1"><v>1.10105199001011E+17</v></c>"#
                + #"<c r="F1"><v>2.2999999999999998</v></c><c r="G1"><v>0.30000000000000004</v></c>"#
                + #"<c r="H1"><v>-7</v></c><c r="I1"><v>-0.5</v></c><c r="J1"><v>9.9999999999999995</v></c>"#
                + #"<c r="K1" s="0"><f>A1*0</f><v>0</v></c><c r="L1"><v>15059900100100100</v></c>"#
                + #"<c r="M1"><v>100000000000000000</v></c><c r="N1"><v>123456789012345</v></c></row>"#,
            styles: dateStyles))
        // A whole number past 15 digits has lost its last ones: it reads as the spreadsheet shows it.
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: [
            "42", "42", "3.25", "13905551234", "1.10105199001011E+17", "2.3", "0.3", "-7", "-0.5", "10", "0",
            "1.50599001001001E+16", "1E+17", "123456789012345",
        ])])
    }

    @Test("booleans read TRUE or FALSE")
    func booleans() throws {
        let file = try XLSXFile(workbookParts(#"<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c></row>"#))
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: ["TRUE", "FALSE"])])
    }

    @Test("a spreadsheet error (#N/A, #REF!) is refused naming its cell, column and error, never read as text")
    func errorCells() throws {
        let file = try XLSXFile(workbookParts(
            #"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>head_name</t></is></c></row>"#
                + #"<row r="2"><c r="A2" t="inlineStr"><is><t>H1</t></is></c><c r="B2" t="e"><f>VLOOKUP(A2,Z:Z,2,0)</f><v>#N/A</v></c></row>"#
                + #"<row r="3"><c r="A3" t="e"><v>#REF!</v></c><c r="B3" t="e"><v>#DIV/0!</v></c></row>"#))
        #expect(throws: XLSXError(description: "row 2, cell B2 (head_name) holds the spreadsheet error #N/A, not a value, "
                + "and so do 2 more cells (A3 #REF!, B3 #DIV/0!): correct the formula behind it, or type the value")) {
            try file.rows()
        }
    }

    @Test("a hidden first sheet (a drop-down's list) is passed over for the first one the user sees")
    func hiddenFirstSheet() throws {
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        var parts = workbookParts(#"<row r="1"><c r="A1" t="inlineStr"><is><t>visible</t></is></c></row>"#)
        parts["xl/workbook.xml"] = """
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="\(relationships)">
            <sheets><sheet name="下拉选项" sheetId="2" state="hidden" r:id="rId9"/><sheet name="户籍" sheetId="1" r:id="rId1"/></sheets></workbook>
            """
        parts["xl/_rels/workbook.xml.rels"] = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="\(relationships)/worksheet" Target="worksheets/sheet1.xml"/>
            <Relationship Id="rId9" Type="\(relationships)/worksheet" Target="worksheets/lists.xml"/>
            </Relationships>
            """
        parts["xl/worksheets/lists.xml"] = """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
            <sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>elderly</t></is></c></row></sheetData></worksheet>
            """
        #expect(try XLSXFile(parts).rows() == [XLSXSheet.Row(number: 1, cells: ["visible"])])
        // Every sheet hidden: the first is read.
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"]!.replacingOccurrences(of: #"sheetId="1" r:id"#, with: #"sheetId="1" state="veryHidden" r:id"#)
        #expect(try XLSXFile(parts).rows() == [XLSXSheet.Row(number: 1, cells: ["elderly"])])
    }

    @Test("a serial with a date style reads as the date Excel shows, 1900-02-29 included")
    func dates1900() throws {
        let file = try XLSXFile(workbookParts(
            numberRow([("46146", 1), ("60", 1), ("61", 1), ("59", 1), ("1", 1), ("46146", 2), ("46146", 0)]),
            styles: dateStyles))
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: [
            "2026-05-04", "1900-02-29", "1900-03-01", "1900-02-28", "1900-01-01", "2026-05-04", "46146",
        ])])
    }

    @Test("the 1904 date system starts at 1904-01-01")
    func dates1904() throws {
        for flag in ["1", "true"] {
            let file = try XLSXFile(workbookParts(numberRow([("44684", 1), ("0", 1)]), styles: dateStyles,
                                                  workbookPr: "<workbookPr date1904=\"\(flag)\"/>"))
            #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: ["2026-05-04", "1904-01-01"])])
        }
    }

    @Test("a serial with a time part reads as a date and time rounded to the second; under a day, as a time")
    func dateTimes() throws {
        let file = try XLSXFile(workbookParts(
            numberRow([("46146.5", 3), ("46146.395833333336", 1), ("46146.99999999", 3), ("46146.000011574", 3),
                       ("0.75", 8), ("46146.5", 8)]),
            styles: dateStyles))
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: [
            "2026-05-04T12:00:00", "2026-05-04T09:30:00", "2026-05-05", "2026-05-04T00:00:01", "18:00:00", "2026-05-04T12:00:00",
        ])])
    }

    @Test("elapsed-time, quoted-letter and colour formats are not dates")
    func notDates() throws {
        let file = try XLSXFile(workbookParts(numberRow([("1.5", 4), ("1.5", 5), ("46146", 6), ("1.5", 7)]), styles: dateStyles))
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: ["1.5", "1.5", "46146", "1.5"])])
    }

    @Test("which custom number formats are dates")
    func dateFormatCodes() {
        #expect(XLSXSheet.isDateFormat("yyyy/m/d;@"))
        #expect(XLSXSheet.isDateFormat(#"[$-F800]dddd\,\ mmmm\ dd\,\ yyyy"#))
        #expect(XLSXSheet.isDateFormat(#"[DBNum1][$-804]yyyy"年"m"月"d"日""#))
        #expect(XLSXSheet.isDateFormat("yyyy-mm-dd hh:mm:ss"))
        #expect(XLSXSheet.isDateFormat("[$-409]d-mmm-yy;@"))
        #expect(!XLSXSheet.isDateFormat("General"))
        #expect(!XLSXSheet.isDateFormat("0.00E+00"))
        #expect(!XLSXSheet.isDateFormat(#"#,##0.00"元";[Red]-#,##0.00"元""#))
        #expect(!XLSXSheet.isDateFormat(#"0\d"#))
        #expect(!XLSXSheet.isDateFormat("[mm]:ss"))
        #expect(!XLSXSheet.isDateFormat("@"))
    }

    @Test("missing cells read as empty; a cell without r takes the next column; empty cells do not widen a row")
    func missingCells() throws {
        let file = try XLSXFile(workbookParts(
            #"<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="C1" t="inlineStr"><is><t>z</t></is></c></row>"#
                + #"<row r="2"><c r="B2"><v>1</v></c><c><v>2</v></c><c t="inlineStr"><is><t> </t></is></c>"#
                + #"<c r="F2" s="1"/><c r="G2" t="inlineStr"><is><t></t></is></c></row>"#))
        #expect(try file.rows() == [
            XLSXSheet.Row(number: 1, cells: ["x", "", "z"]),
            XLSXSheet.Row(number: 2, cells: ["", "1", "2", " "]),
        ])
    }

    @Test("rows with no text are skipped and the others keep their sheet row numbers")
    func emptyRows() throws {
        let file = try XLSXFile(workbookParts(
            #"<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" s="1"/></row>"#
                + #"<row r="3" spans="1:2"><c r="A3" t="inlineStr"><is><t></t></is></c></row>"#
                + #"<row r="5"><c r="A5"><v>5</v></c></row><row><c r="A6"><v>6</v></c></row>"#))
        #expect(try file.rows().map(\.number) == [1, 5, 6])
    }

    @Test("the first sheet is the workbook's first <sheet>, wherever its part is")
    func firstSheetNotSheet1() throws {
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        for target in ["worksheets/data.xml", "/xl/worksheets/data.xml"] {
            var parts = workbookParts(#"<row r="1"><c r="A1" t="inlineStr"><is><t>second tab</t></is></c></row>"#)
            parts["xl/workbook.xml"] = """
                <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="\(relationships)">
                <sheets><sheet name="户籍" sheetId="2" r:id="rId9"/><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>
                """
            parts["xl/_rels/workbook.xml.rels"] = """
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                <Relationship Id="rId1" Type="\(relationships)/worksheet" Target="worksheets/sheet1.xml"/>
                <Relationship Id="rId9" Type="\(relationships)/worksheet" Target="\(target)"/>
                </Relationships>
                """
            parts["xl/worksheets/data.xml"] = """
                <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
                <sheetData><row r="2"><c r="B2" t="inlineStr"><is><t>first tab</t></is></c></row></sheetData></worksheet>
                """
            let file = try XLSXFile(parts)
            #expect(try file.rows() == [XLSXSheet.Row(number: 2, cells: ["", "first tab"])])
        }
    }

    @Test("a workbook whose parts are stored with backslashes (xl\\worksheets\\sheet1.xml) is read")
    func backslashPaths() throws {
        var parts: [String: String] = [:]
        for (path, text) in workbookParts(#"<row r="1"><c r="A1" t="inlineStr"><is><t>户籍</t></is></c></row>"#) {
            parts[path.hasPrefix("xl/") ? path.replacingOccurrences(of: "/", with: "\\") : path] = text
        }
        #expect(parts.keys.contains("xl\\_rels\\workbook.xml.rels"))
        #expect(try XLSXFile(parts).rows() == [XLSXSheet.Row(number: 1, cells: ["户籍"])])
    }

    @Test("elements in a prefixed namespace are read like unprefixed ones")
    func prefixedElements() throws {
        var parts = workbookParts("")
        parts["xl/worksheets/sheet1.xml"] = """
            <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
            <x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>网格</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>
            """
        let file = try XLSXFile(parts)
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: ["网格"])])
    }

    @Test("an XML warning (a relative namespace name) does not stop the reading")
    func xmlWarning() throws {
        var parts = workbookParts("")
        parts["xl/worksheets/sheet1.xml"] = """
            <worksheet xmlns="main"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>
            """
        let file = try XLSXFile(parts)
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: ["1"])])
    }

    @Test("an error thrown by the row handler stops the reading and comes out as it was")
    func handlerError() throws {
        struct Stop: Error, Equatable {}
        let file = try XLSXFile(workbookParts(#"<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>"#))
        var seen: [Int] = []
        #expect(throws: Stop()) {
            try XLSXSheet(contentsOf: file.url).forEachRow { row in
                seen.append(row.number)
                throw Stop()
            }
        }
        #expect(seen == [1])
    }

    @Test("a file that is not a zip is refused with a message saying what to do")
    func notAZip() throws {
        let file = try XLSXFile(bytes: Array("户号,户主\n1,张三\n".utf8))
        #expect(throws: XLSXError(description: "is not an .xlsx workbook (not a zip archive): save it from Excel or WPS as \"Excel Workbook (.xlsx)\"")) {
            try XLSXSheet(contentsOf: file.url)
        }
    }

    @Test("an old .xls workbook is refused with a message saying what to do")
    func oldExcel() throws {
        let file = try XLSXFile(bytes: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 504))
        #expect(throws: XLSXError(description: "is an old Excel 97-2003 workbook (.xls) or a workbook with a password, not an .xlsx: open it in Excel or WPS and save it as .xlsx without a password")) {
            try XLSXSheet(contentsOf: file.url)
        }
    }

    @Test("a zip without a workbook is refused")
    func zipWithoutWorkbook() throws {
        let file = try XLSXFile(["units.csv": "code,name\n"])
        #expect(throws: XLSXError(description: "is a zip archive but not an Excel workbook (it has no xl/workbook.xml)")) {
            try XLSXSheet(contentsOf: file.url)
        }
    }

    @Test("a workbook without sheets is refused")
    func noSheet() throws {
        var parts = workbookParts("")
        parts["xl/workbook.xml"] = #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>"#
        let file = try XLSXFile(parts)
        #expect(throws: XLSXError(description: "the workbook has no sheet")) {
            try XLSXSheet(contentsOf: file.url)
        }
    }

    @Test("a sheet that is not well-formed XML is refused with its part and line")
    func badXML() throws {
        var parts = workbookParts("")
        parts["xl/worksheets/sheet1.xml"] = "<worksheet>\n<sheetData><row r=\"1\"><c r=\"A1\"><v>1</c></row>\n<row r=\"2\"><c r=\"A2\"><v>2</v></c></row></sheetData></worksheet>"
        let file = try XLSXFile(parts)
        let sheet = try XLSXSheet(contentsOf: file.url)
        #expect(throws: XLSXError(description: "xl/worksheets/sheet1.xml in the workbook is not well-formed XML (near line 2): the file is damaged")) {
            try sheet.forEachRow { _ in }
        }
    }

    @Test("a cell pointing past the shared strings is refused with its reference")
    func missingSharedString() throws {
        let file = try XLSXFile(workbookParts(#"<row r="4"><c r="AB4" t="s"><v>7</v></c></row>"#, sharedStrings: ["<si><t>a</t></si>"]))
        let sheet = try XLSXSheet(contentsOf: file.url)
        #expect(throws: XLSXError(description: "cell AB4 refers to shared text \"7\", which the workbook does not have (the file is damaged)")) {
            try sheet.forEachRow { _ in }
        }
    }

    @Test("cell references give their column")
    func cellReferences() {
        #expect(XLSXSheet.columnIndex(of: "A1") == 0)
        #expect(XLSXSheet.columnIndex(of: "AB4") == 27)
        #expect(XLSXSheet.columnIndex(of: "$C$3") == 2)
        #expect(XLSXSheet.columnIndex(of: "XFD1048576") == 16_383)
        #expect(XLSXSheet.columnIndex(of: "XFE1") == nil)
        #expect(XLSXSheet.columnIndex(of: "1A") == nil)
        #expect(XLSXSheet.columnIndex(of: "B") == nil)
        #expect(XLSXSheet.columnName(27) == "AB")
    }

    @Test("formulas with a saved result read as that result (LibreOffice, Excel, WPS), an empty text result included")
    func formulasWithResults() throws {
        let file = try XLSXFile(workbookParts(
            #"<row r="1"><c r="A1" t="str"><f>CONCATENATE("红旗村","1号")</f><v>红旗村1号</v></c>"#
                + #"<c r="B1"><f>1+2</f><v>3</v></c><c r="C1" t="str"><f>""</f><v></v></c>"#
                + #"<c r="D1" t="b"><f>TRUE()</f><v>1</v></c><c r="E1"><f t="shared" ref="E1:E2" si="0">B1*2</f><v>6</v></c>"#
                + #"<c r="F1" t="s"><v>0</v></c></row>"#,
            sharedStrings: ["<si><t>end</t></si>"]))
        #expect(try file.rows() == [XLSXSheet.Row(number: 1, cells: ["红旗村1号", "3", "", "TRUE", "6", "end"])])
    }

    @Test("a formula with no saved result (openpyxl) is refused naming its row, cell and column, not read as empty")
    func formulaWithoutResult() throws {
        let file = try XLSXFile(workbookParts(
            #"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="D1" t="inlineStr"><is><t>address</t></is></c></row>"#
                + #"<row r="2"><c r="A2" t="inlineStr"><is><t>H1</t></is></c><c r="D2"><f>CONCATENATE("红旗村","1号")</f><v /></c></row>"#))
        #expect(throws: XLSXError(description: "row 2, cell D2 (address) holds a formula with no saved result "
                + "(written by a program, not a spreadsheet): open the file in Excel or WPS and save it, or paste the values")) {
            try file.rows()
        }
    }

    @Test("several formulas with no saved result are counted, the first few named")
    func formulasWithoutResult() throws {
        var rows = #"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>"#
        for row in 2...9 { rows += #"<row r="\#(row)"><c r="A\#(row)"><f>1+\#(row)</f></c><c r="C\#(row)" t="str"><f>A1</f></c></row>"# }
        let file = try XLSXFile(workbookParts(rows))
        #expect(throws: XLSXError(description: "row 2, cell A2 (code) holds a formula with no saved result "
                + "(written by a program, not a spreadsheet), and so do 15 more cells (C2, A3, C3, A4, C4, …): "
                + "open the file in Excel or WPS and save it, or paste the values")) {
            try file.rows()
        }
    }

    @Test("the importer refuses a workbook with an unsaved formula and writes nothing")
    func formulaThroughTheImporter() async throws {
        var files = smallCounty
        files["households.csv"] = nil
        let seeds = try SeedDirectory(files)
        let sheet = #"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>grid_code</t></is></c>"#
            + #"<c r="C1" t="inlineStr"><is><t>address</t></is></c><c r="D1" t="inlineStr"><is><t>members</t></is></c></row>"#
            + #"<row r="2"><c r="A2" t="inlineStr"><is><t>H1</t></is></c><c r="B2" t="inlineStr"><is><t>G1</t></is></c>"#
            + #"<c r="C2"><f>CONCATENATE("红旗村","1号")</f><v/></c><c r="D2"><f>1+2</f><v/></c></row>"#
        let file = try XLSXFile(workbookParts(sheet), at: seeds.url.appendingPathComponent("households.xlsx"))
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let before = try await tableCounts(database)
        let failure = try await #require(throws: ImportFailure.self) { try await database.importSeeds(from: seeds.url) }
        #expect(failure.problems.map(\.description) == [
            "households.xlsx:1: -: cannot read the workbook: row 2, cell C2 (address) holds a formula with no saved result "
                + "(written by a program, not a spreadsheet), and so does 1 more cell (D2): open the file in Excel or WPS and save it, or paste the values",
        ])
        #expect(try await tableCounts(database) == before)
        _ = file
    }

    @Test("an escape needs four hex digits; _x005F_ keeps a literal escape")
    func escapes() {
        #expect(XLSXSheet.unescaped("_x000D_ _x000d_ _x00G1_ _x+00D_ _x005F_x000D_ __x0041_") == "\r \r _x00G1_ _x+00D_ _x000D_ _A")
    }
}

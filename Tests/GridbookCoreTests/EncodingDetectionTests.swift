import Foundation
import GRDB
@testable import GridbookCore
import Testing

/// A small seeded generator (SplitMix64), so that every run draws the same strings.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random text as a county's files hold it: names, places and the words of the work.
struct CountyText {
    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤乌巴包其")
    static let given = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
                        "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "协", "国庆", "红梅", "玉兰", "淑珍",
                        "海燕", "巴特尔", "苏日娜", "其其格", "额尔敦", "宝音", "乌云", "萨仁", "那日苏", "学军", "小燕", "新民"]
    static let places = ["协和村", "村委会", "许家屯", "刘家营子", "红旗嘎查", "东风镇", "巴彦塔拉苏木", "乌兰浩特", "扎鲁特旗",
                         "固阳县", "新华街道", "幸福社区", "团结村", "胜利村", "前进嘎查", "三组", "二号楼", "一单元", "学府小区",
                         "协力路", "村东头", "小学旁", "新村", "西沟", "南营子", "北岭"]
    static let words = ["宅基地边界纠纷", "独居老人", "留守儿童", "精神障碍患者", "电信诈骗", "社区矫正", "邻里纠纷", "婚姻家庭",
                        "土地承包", "拖欠工资", "民间借贷", "物业管理", "交通事故", "医疗纠纷", "走访", "网格员", "楼栋长",
                        "调解", "矛盾", "隐患", "协调", "协助", "学习", "小区", "新建"]
    /// Openings whose GB18030 bytes start like UTF-8 (协 is D0 AD, U+042D in UTF-8), and ones that do not.
    static let openings = ["协", "刘", "许", "村", "学", "小", "新", "协助", "协和"]
    static let joins = ["", "", "", "，", "、", " ", "（", "）", ", ", "\"", "；"]

    /// A string of two characters or more: a name, a place, words of the work, joined at random.
    static func random(using generator: inout SeededGenerator) -> String {
        var text = ""
        if Int.random(in: 0..<4, using: &generator) == 0 { text = openings.randomElement(using: &generator)! }
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: text += String(surnames.randomElement(using: &generator)!) + given.randomElement(using: &generator)!
            case 1: text += places.randomElement(using: &generator)!
            default: text += words.randomElement(using: &generator)!
            }
            text += joins.randomElement(using: &generator)!
        }
        return text.count >= 2 ? text : text + "村"
    }
}

/// A field as CSV writes it: quoted when it holds a comma, a quote or a line break.
func csvField(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
}

/// A CSV file with `text` in the `name` column of line `line` (2 or more; the lines before it are ASCII rows).
func csvFile(with text: String, onLine line: Int) -> (before: String, field: String, after: String) {
    var before = "code,name,level\n"
    for row in 2..<line { before += "X\(row),plain,grid\n" }
    before += "T\(line),"
    return (before, csvField(text), ",township\nZ9,end,grid\n")
}

@Suite("Encoding detection on random Chinese text")
struct EncodingDetectionTests {
    static let count = 3_000

    @Test("thousands of random strings written as GB18030 CSV are all detected as GB18030 and read back exactly")
    func randomGB18030() async throws {
        var generator = SeededGenerator(seed: 20_261_202)
        var failures: [String] = []
        var startsLikeUTF8 = 0
        for _ in 0..<Self.count {
            let text = CountyText.random(using: &generator)
            let (before, field, after) = csvFile(with: text, onLine: Int.random(in: 2...6, using: &generator))
            let utf8 = Array((before + field + after).utf8)
            let gb = try TextDecoding.transcode(utf8, from: "UTF-8", to: "GB18030")
            let fieldGB = try TextDecoding.transcode(Array(field.utf8), from: "UTF-8", to: "GB18030")
            if UTF8Profile(fieldGB).firstInvalid != 0 { startsLikeUTF8 += 1 }
            do {
                let decoded = try TextDecoding.utf8Bytes(of: gb)
                if decoded.encoding != "GB18030" || decoded.bytes != utf8 { failures.append("\(text): read as \(decoded.encoding)") }
            } catch {
                failures.append("\(text): refused at byte \(error.byteOffset) as \(error.encoding)")
            }
        }
        #expect(failures == [])
        // The draw holds many strings whose first character's GB18030 bytes are also valid UTF-8.
        #expect(startsLikeUTF8 > Self.count / 10)
    }

    @Test("the same strings as UTF-8 with one stray byte are all refused as UTF-8, naming the right line")
    func randomStrayByte() async throws {
        var generator = SeededGenerator(seed: 20_261_202)
        var failures: [String] = []
        for _ in 0..<Self.count {
            let text = CountyText.random(using: &generator)
            let line = Int.random(in: 2...6, using: &generator)
            let (before, field, after) = csvFile(with: text, onLine: line)
            var fieldBytes = Array(field.utf8)
            let stray = UInt8.random(in: 0x80...0xFF, using: &generator)
            fieldBytes.insert(stray, at: Int.random(in: 0...fieldBytes.count, using: &generator))
            let bytes = Array(before.utf8) + fieldBytes + Array(after.utf8)
            do {
                let decoded = try TextDecoding.utf8Bytes(of: bytes)
                failures.append("\(text) + 0x\(String(stray, radix: 16)): read as \(decoded.encoding)")
            } catch {
                let place = TextPlace(in: bytes, at: error.byteOffset, encoding: error.encoding)
                if error.encoding != "UTF-8" || place.line != line || place.columnName(known: ["code", "name", "level"]) != "name" {
                    failures.append("\(text) + 0x\(String(stray, radix: 16)): refused as \(error.encoding) on line \(place.line)")
                }
            }
        }
        #expect(failures == [])
    }

    @Test("random GB18030 names go through the importer and come back exactly; with a stray UTF-8 byte nothing is written")
    func throughTheImporter() async throws {
        var generator = SeededGenerator(seed: 7)
        let names = (0..<300).map { _ in CountyText.random(using: &generator) }
        var units = "code,name,level,parent_code\nC,测试县,county,\n"
        for (index, name) in names.enumerated() { units += "T\(index),\(csvField(name)),township,C\n" }
        let seeds = try SeedDirectory([:])
        try seeds.write("units.csv", Data(try TextDecoding.transcode(Array(units.utf8), from: "UTF-8", to: "GB18030")))
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let summary = try await database.importSeeds(from: seeds.url)
        #expect(summary.files.map(\.encoding) == ["GB18030"])
        let stored = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT code, name FROM units WHERE level = 'township'")
                .reduce(into: [String: String]()) { $0[$1[0]] = $1[1] }
        }
        // (Spaces around a value are not kept, as for every field.)
        #expect(names.indices.filter { stored["T\($0)"] != names[$0].trimmingCharacters(in: .whitespaces) } == [])

        // The same file in UTF-8, one stray byte in the name on line 150.
        var bytes = Array(units.utf8)
        let lineStart = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }[148] + 1
        let nameStart = bytes[lineStart...].firstIndex(of: UInt8(ascii: ","))! + 1
        bytes.insert(0xFF, at: nameStart)
        let damaged = try SeedDirectory([:])
        try damaged.write("units.csv", Data(bytes))
        let empty = try AppDatabase.inMemory(clock: .fixed(testNow))
        let before = try await tableCounts(empty)
        let failure = try await #require(throws: ImportFailure.self) { try await empty.importSeeds(from: damaged.url) }
        #expect(failure.problems.count == 1)
        #expect(failure.problems.first?.description.hasPrefix("units.csv:150: name: byte 0xFF (character 6 of the line) is not valid UTF-8 text") == true)
        #expect(try await tableCounts(empty) == before)
    }
}

@Suite("Encodings as townships write them")
struct MixedEncodingTests {
    /// The small county with names that hold commas and quotes, the kind of text that needs quoting.
    static var files: [String: String] {
        var files = smallCounty
        files["households.csv"] = files["households.csv"]!
            .replacingOccurrences(of: "H3,G1,,红旗村一组3号,赵强", with: "H3,G1,,\"协和村\"\"三组\"\", 3号\",\"赵强, 协助\"")
        return files
    }

    @Test("a county mixing UTF-8 with BOM and CRLF, plain UTF-8 and GB18030 imports as its UTF-8 twin does")
    func mixedCounty() async throws {
        let seeds = try SeedDirectory([:])
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        for (name, text) in Self.files {
            let crlf = text.replacingOccurrences(of: "\n", with: "\r\n")
            switch name {
            case "units.csv", "duties.csv": try await seeds.write(name, Data(bom + Array(crlf.utf8)))
            case "households.csv", "categories.csv":
                try await seeds.write(name, Data(try TextDecoding.transcode(Array(crlf.utf8), from: "UTF-8", to: "GB18030")))
            case "visits.csv": try await seeds.write(name, Data(try TextDecoding.transcode(Array(text.utf8), from: "UTF-8", to: "GB18030")))
            default: try await seeds.write(name, Data(text.utf8))
            }
        }
        let mixed = try AppDatabase.inMemory(clock: .fixed(testNow))
        let summary = try await mixed.importSeeds(from: seeds.url)
        #expect(Dictionary(uniqueKeysWithValues: summary.files.map { ($0.file, $0.encoding) }) == [
            "categories.csv": "GB18030", "units.csv": "UTF-8", "people.csv": "UTF-8", "duties.csv": "UTF-8",
            "households.csv": "GB18030", "visits.csv": "GB18030",
        ])
        let twin = try AppDatabase.inMemory(clock: .fixed(testNow))
        let plain = try SeedDirectory(Self.files)
        _ = try await twin.importSeeds(from: plain.url)
        let june30 = LocalDate("2026-06-30")!
        #expect(try await mixed.coverageReport(asOf: june30) == twin.coverageReport(asOf: june30))
        #expect(try await mixed.read { try Household.fetchOne($0, key: "H3") } == twin.read { try Household.fetchOne($0, key: "H3") })
        #expect(try await mixed.read { try Household.fetchOne($0, key: "H3")?.address } == "协和村\"三组\", 3号")
        #expect(try await mixed.read { try Household.fetchOne($0, key: "H3")?.headName } == "赵强, 协助")
    }

    @Test("a file that cannot be read is said once; the files that refer to it are not reported row by row")
    func unreadableFileSaidOnce() async throws {
        var files = smallCounty
        files["households.csv"] = nil
        let seeds = try SeedDirectory(files)
        // GB18030 with a byte that is neither GB18030 nor UTF-8.
        var households = try TextDecoding.transcode(Array(smallCounty["households.csv"]!.utf8), from: "UTF-8", to: "GB18030")
        households.insert(0xFF, at: households.firstIndex(of: UInt8(ascii: "\n"))! + 4)
        try seeds.write("households.csv", Data(households))
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let before = try await tableCounts(database)
        let failure = try await #require(throws: ImportFailure.self) { try await database.importSeeds(from: seeds.url) }
        #expect(failure.description == """
            households.csv:2: grid_code: byte 0xFF (character 4 of the line) is neither UTF-8 nor GB18030 text \
            (tried UTF-8, UTF-16 (needs a byte-order mark), GB18030); save the file as UTF-8 or GB18030
            import failed: nothing was written
            """)
        #expect(try await tableCounts(database) == before)
    }

    @Test("a UTF-8 byte-order mark with a bad byte after it is refused as UTF-8")
    func bomThenBadByte() async throws {
        let seeds = try SeedDirectory([:])
        try seeds.write("units.csv", Data([0xEF, 0xBB, 0xBF] + Array("code,name,level,parent_code\nC,".utf8) + [0xD0, 0xAD, 0xB5] + Array(",county,\n".utf8)))
        let failure = try await #require(throws: ImportFailure.self) {
            try await AppDatabase.inMemory(clock: .fixed(testNow)).importSeeds(from: seeds.url)
        }
        #expect(failure.problems.map(\.description) == [
            "units.csv:2: name: byte 0xB5 (character 4 of the line) is not valid UTF-8 text (the file starts with a UTF-8 byte-order mark); "
                + "correct that byte, or save the file again as UTF-8",
        ])
    }

    @Test("a short name whose GB18030 bytes are all valid UTF-8 (小学) is read as GB18030; accented Latin and Cyrillic stay UTF-8")
    func gbInDisguise() async throws {
        let gb = try TextDecoding.transcode(Array("code,name\nP1,小学\n".utf8), from: "UTF-8", to: "GB18030")
        #expect(TextDecoding.firstInvalidUTF8Offset(gb) == nil)
        let decoded = try TextDecoding.utf8Bytes(of: gb)
        #expect(decoded.encoding == "GB18030")
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "code,name\nP1,小学\n")
        let latin = try TextDecoding.utf8Bytes(of: Array("code,name\nP1,José Müller\n".utf8))
        #expect(latin.encoding == "UTF-8")
        let cyrillic = try TextDecoding.utf8Bytes(of: Array("code,name\nP1,Иван Петров\n".utf8))
        #expect(cyrillic.encoding == "UTF-8")
    }

    @Test("a bad code unit in a UTF-16 file is placed by line and character, 上 (0A 4E) being no line end")
    func utf16Place() async throws {
        let seeds = try SeedDirectory([:])
        let text = "code,name,level,parent_code\nC,上上县,county,\nT1,上海镇,township,C\nV1,ab"
        func utf16LE(_ text: String) -> [UInt8] {
            var bytes: [UInt8] = []
            for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
            return bytes
        }
        let bytes: [UInt8] = [0xFF, 0xFE] + utf16LE(text) + [0x00, 0xDC] + utf16LE(",village,T1\n")
        try seeds.write("units.csv", Data(bytes))
        let failure = try await #require(throws: ImportFailure.self) {
            try await AppDatabase.inMemory(clock: .fixed(testNow)).importSeeds(from: seeds.url)
        }
        #expect(failure.problems.map(\.description) == [
            "units.csv:4: name: code unit 0xDC00 (character 6 of the line) is not valid UTF-16LE text; correct that byte, or save the file again as UTF-16LE",
        ])
    }

    @Test("a byte-order mark is no character of the first line")
    func bomNotACharacter() async throws {
        let seeds = try SeedDirectory([:])
        try seeds.write("units.csv", Data([0xEF, 0xBB, 0xBF] + Array("co".utf8) + [0xFF] + Array("de,name,level,parent_code\n".utf8)))
        let failure = try await #require(throws: ImportFailure.self) {
            try await AppDatabase.inMemory(clock: .fixed(testNow)).importSeeds(from: seeds.url)
        }
        #expect(failure.problems.first?.description.hasPrefix("units.csv:1: -: byte 0xFF (character 3 of the line)") == true)
    }
}

/// The text of `bytes` as auto-detection reads it, and the encoding it was read as.
private func detected(_ bytes: [UInt8]) throws -> (text: String, encoding: String) {
    let decoded = try TextDecoding.utf8Bytes(of: bytes)
    return (String(decoding: decoded.bytes, as: UTF8.self), decoded.encoding)
}

/// `text` written as GB18030.
private func gb18030(_ text: String) throws -> [UInt8] {
    try TextDecoding.transcode(Array(text.utf8), from: "UTF-8", to: "GB18030")
}

@Suite("GB18030 whose bytes are also UTF-8, and UTF-8 that must stay UTF-8")
struct AmbiguousEncodingTests {
    @Test("甯红波 in GB18030 is also valid UTF-8 (帺첨, a hanzi and a Hangul syllable): it is read as GB18030")
    func hanziBesideHangul() throws {
        let text = "id,name,phone,id_number\r\nP3,甯红波,13800138001,\r\n"
        let bytes = try gb18030(text)
        #expect(TextDecoding.firstInvalidUTF8Offset(bytes) == nil)
        #expect(String(decoding: bytes, as: UTF8.self) == "id,name,phone,id_number\r\nP3,帺첨,13800138001,\r\n")
        // The mapped-file reader does not stream it as UTF-8 either.
        #expect(UTF8Profile(bytes).mayBeGB18030)
        #expect(try detected(bytes) == (text, "GB18030"))
    }

    @Test("甯红波, 宓光华, 王五 in GB18030 (not UTF-8, but its UTF-8 pieces read as hanzi) is read as GB18030, not refused")
    func notRefusedAsDamagedUTF8() throws {
        let text = "id,name,phone,id_number\r\nP6,甯红波,,\r\nP7,宓光华,,\r\nP8,王五,,\r\n"
        let bytes = try gb18030(text)
        #expect(TextDecoding.firstInvalidUTF8Offset(bytes) != nil)
        #expect(try detected(bytes) == (text, "GB18030"))
    }

    @Test("the program's own GB18030 export of 甯红波 imports back unchanged")
    func exportRoundTrip() async throws {
        var files = smallCounty
        files["people.csv"] = "id,name,phone,id_number\nP1,甯红波,13812341234,\nP2,巴特尔,,\n"
        let seeds = try SeedDirectory(files)
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        _ = try await database.importSeeds(from: seeds.url)
        let exported = try SeedDirectory([:])
        _ = try await database.exportSeeds(to: exported.url, encoding: .gb18030)
        // Only this file: the others hold Chinese enough to be GB18030 beyond doubt.
        let people = try Data(contentsOf: exported.url.appendingPathComponent("people.csv"))
        let again = try SeedDirectory([:])
        try again.write("people.csv", people)
        let summary = try await database.importSeeds(from: again.url)
        #expect(summary.files.map(\.encoding) == ["GB18030"])
        #expect(try await database.read { try Person.fetchOne($0, key: "P1")?.name } == "甯红波")
    }

    @Test("GB18030 names whose bytes read as UTF-8 with Hangul, C1 controls or rare scripts are read as GB18030")
    func foreignReadings() throws {
        // Each name's GB18030 bytes are valid UTF-8; what they read as is in the comment.
        let names = [
            "甯红波", // 帺첨
            "小学", // Сѧ (ѧ is historic Cyrillic)
            "省省", // ʡʡ (IPA)
            "瑜冯弧", // 褷뻡
        ]
        for name in names {
            let text = "id,name\r\nP1,\(name),\r\n"
            let bytes = try gb18030(text)
            #expect(TextDecoding.firstInvalidUTF8Offset(bytes) == nil, "\(name)")
            #expect(try detected(bytes) == (text, "GB18030"), "\(name)")
        }
    }

    @Test("random GB2312 names whose GB18030 bytes are valid UTF-8 with something no county writes are all read as GB18030")
    func randomForeignReadings() throws {
        var generator = SeededGenerator(seed: 18_030)
        let hanzi = try TextDecoding.transcode((UInt8(0xB0)...0xF7).flatMap { lead in
            (UInt8(0xA1)...(lead == 0xD7 ? 0xF9 : 0xFE)).flatMap { [lead, $0] }
        }, from: "GB18030").withUnsafeBufferPointer { Array(String(decoding: $0, as: UTF8.self)) }
        var tried = 0
        var failures: [String] = []
        while tried < 300 {
            let name = String((0..<Int.random(in: 2...3, using: &generator)).map { _ in hanzi.randomElement(using: &generator)! })
            let text = "id,name,phone,id_number\r\nP1,\(name),13800138001,\r\n"
            let bytes = try gb18030(text)
            let profile = UTF8Profile(bytes)
            guard profile.firstInvalid == nil, profile.foreignSequences > 0 else { continue }
            tried += 1
            if let read = try? detected(bytes), read == (text, "GB18030") { continue }
            failures.append(name)
        }
        #expect(failures == [])
    }

    @Test("UTF-8 in the scripts counties write stays UTF-8, read exactly")
    func genuineUTF8() throws {
        let names = [
            "张伟", "甯红波", "王堃", "李喆", "陈玥", "黄犇", // common and rarer hanzi
            "“红旗村”，一组（东屋）；№3", // full-width and general punctuation
            "José Müller", "Łódź", "Nguyễn Văn An", "Иван Петров", // accented Latin, Cyrillic
            "ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ", "ئابدۇرېھىم", "ئارا", "قازاقشا", "བོད་ཡིག", "ꆈꌠꁱꂷ", // Mongolian, Uyghur, Kazakh, Tibetan, Yi
            "김철수", "박민", // Korean words
            "😀🎉", "网格员👍🏻", "⭐️独居老人", // emoji
        ]
        for name in names {
            let text = "id,name\r\nP1,\(name),\r\n"
            #expect(try detected(Array(text.utf8)) == (text, "UTF-8"), "\(name)")
        }
    }

    @Test("random UTF-8 names of one or two people, rare hanzi among them, all stay UTF-8")
    func randomShortUTF8() throws {
        var generator = SeededGenerator(seed: 8)
        let rare = Array("堃喆玥犇淼垚鑫昇珺彧瑄琤琇玙昳旻晞翀")
        var failures: [String] = []
        for _ in 0..<3_000 {
            var text = "id,name,phone,id_number\r\n"
            for row in 0..<Int.random(in: 1...2, using: &generator) {
                var name = String(CountyText.surnames.randomElement(using: &generator)!)
                name += Bool.random(using: &generator) ? String(rare.randomElement(using: &generator)!) : CountyText.given.randomElement(using: &generator)!
                text += "P\(row),\(name),13800138001,\r\n"
            }
            if let read = try? detected(Array(text.utf8)), read == (text, "UTF-8") { continue }
            failures.append(text)
        }
        #expect(failures == [])
    }

    @Test("a long UTF-8 file of Chinese stays UTF-8 and is streamed, with a stray control character, a Korean word and emoji in it")
    func longGenuineUTF8() throws {
        var generator = SeededGenerator(seed: 2026)
        var text = "code,name,level\n"
        for row in 0..<5_000 {
            text += "T\(row),\(csvField(CountyText.random(using: &generator))),township\n"
        }
        text += "K1,김철수 \u{85}网格员😀,township\n"
        let bytes = Array(text.utf8)
        #expect(!UTF8Profile(bytes).mayBeGB18030)
        #expect(try detected(bytes) == (text, "UTF-8"))
    }

    @Test("a GB18030 file mixing ASCII rows, common names and the three names is read as GB18030, exactly")
    func mixedGB18030() throws {
        var text = "id,name,phone,id_number\r\n"
        for row in 0..<50 { text += "A\(row),Zhang San,1380013\(1000 + row),\r\n" }
        text += "P3,甯红波,13800138001,\r\nP4,张伟,,\r\nP6,宓光华,,\r\nP8,王五,,\r\n"
        #expect(try detected(try gb18030(text)) == (text, "GB18030"))
        // The same file in UTF-8 stays UTF-8.
        #expect(try detected(Array(text.utf8)) == (text, "UTF-8"))
    }

    @Test("Big5 and Shift-JIS decode as GB18030 into nonsense: refused, saying how few characters are Chinese")
    func otherEncodingsRefused() throws {
        let text = "id,name,phone,id_number\r\nP1,陳大文,,\r\nP2,林美麗,,\r\nP3,張國榮,,\r\nP4,臺北市中山區,,\r\n"
        let big5 = try TextDecoding.transcode(Array(text.utf8), from: "UTF-8", to: "BIG5")
        let firstName = try #require(big5.firstIndex { $0 >= 0x80 })
        #expect(throws: TextDecodingError(byteOffset: firstName + 2, encoding: "GB18030", tried: ["UTF-8", "GB18030"],
                                          refusal: .notChinese(common: 6, characters: 15))) {
            try TextDecoding.utf8Bytes(of: big5)
        }
        let shiftJIS = try TextDecoding.transcode(Array("id,name\r\nP1,山田太郎,\r\nP2,東京都新宿区,\r\n".utf8), from: "UTF-8", to: "SHIFT_JIS")
        #expect(throws: TextDecodingError(byteOffset: 12, encoding: "GB18030", tried: ["UTF-8", "GB18030"],
                                          refusal: .notChinese(common: 0, characters: 10))) {
            try TextDecoding.utf8Bytes(of: shiftJIS)
        }
        // Forced, GB18030 is what the user said it is.
        #expect(try TextDecoding.utf8Bytes(of: big5, encoding: .gb18030).encoding == "GB18030")
    }

    @Test("a GB18030 file of Mongolian and Tibetan names (four-byte characters) is read as GB18030, not refused as not Chinese")
    func minorityScripts() throws {
        let text = "id,name,phone,id_number\r\nP1,ᠪᠠᠲᠤ,,\r\nP2,ᠰᠠᠷᠠᠨᠭᠤᠣ,,\r\nP3,བཀྲ་ཤིས,,\r\nP4,巴特尔,,\r\n"
        let bytes = try gb18030(text)
        #expect(GB18030Profile(bytes).isChineseText)
        #expect(try detected(bytes) == (text, "GB18030"))
    }

    @Test("a file of GB18030 rows with UTF-8 rows joined to it is refused at the first UTF-8 line, never stored half garbled")
    func mixedEncodingsRefused() throws {
        var gbRows = "id,name,phone,id_number\r\n"
        for row in 0..<50 { gbRows += "G\(row),王芳\(row),,\r\n" }
        let utf8Rows = (0..<5).map { "U\($0),张三\($0),,\r\n" }.joined()
        let bytes = try gb18030(gbRows) + Array(utf8Rows.utf8)
        let firstUTF8 = try gb18030(gbRows).count + 3
        #expect(throws: TextDecodingError(byteOffset: firstUTF8, encoding: "GB18030", tried: ["UTF-8", "GB18030"],
                                          refusal: .mixed(sample: "张三0,,"))) {
            try TextDecoding.utf8Bytes(of: bytes)
        }
        // The GB18030 rows alone, with the three names whose bytes make UTF-8 pieces, are GB18030.
        #expect(try detected(try gb18030(gbRows + "P3,甯红波,,\r\nP6,宓光华,,\r\n")).encoding == "GB18030")
    }

    @Test("the importer says what is wrong with a Big5 or mixed file, by line and character, and writes nothing")
    func refusalsThroughTheImporter() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let before = try await tableCounts(database)
        var gbRows = "id,name,phone,id_number\r\n"
        for row in 0..<50 { gbRows += "G\(row),王芳,,\r\n" }
        let mixed = try SeedDirectory([:])
        try mixed.write("people.csv", Data(try gb18030(gbRows) + Array("U0,张三,,\r\n".utf8)))
        let mixedFailure = try await #require(throws: ImportFailure.self) { try await database.importSeeds(from: mixed.url) }
        #expect(mixedFailure.problems.map(\.description) == [
            "people.csv:52: name: byte 0xE5 (character 4 of the line) starts UTF-8 text (张三,,) in a file whose other lines are GB18030 "
                + "(tried UTF-8, GB18030): the file mixes two encodings, and either reading would store part of it garbled; "
                + "save it again as one (UTF-8 or GB18030)",
        ])
        let big5 = try SeedDirectory([:])
        try big5.write("people.csv", Data(try TextDecoding.transcode(Array("id,name\r\nP1,陳大文\r\n".utf8), from: "UTF-8", to: "BIG5")))
        let big5Failure = try await #require(throws: ImportFailure.self) { try await database.importSeeds(from: big5.url) }
        #expect(big5Failure.problems.map(\.description) == [
            "people.csv:2: name: byte 0xA4 (character 5 of the line) starts text that decodes as GB18030 but not into Chinese: "
                + "2 of its 3 characters are common Chinese (tried UTF-8, GB18030); the file may be Big5, Shift-JIS or another encoding: "
                + "save it again as UTF-8 or GB18030 (or force --encoding gb18030 if it is GB18030)",
        ])
        #expect(try await tableCounts(database) == before)
    }

    @Test("a Chinese UTF-8 file with a damaged byte is still refused as UTF-8, rarer hanzi and Hangul in it or not")
    func damagedUTF8StillRefused() throws {
        let text = "id,name\r\nP1,张伟,\r\nP2,王堃,\r\nP3,김철수,\r\n"
        var bytes = Array(text.utf8)
        let at = bytes.firstIndex(of: 0xE7)! // 王
        bytes.insert(0xFF, at: at)
        #expect(throws: TextDecodingError(byteOffset: at, encoding: "UTF-8", tried: ["UTF-8", "GB18030"],
                                          reason: "the rest is UTF-8: 3 Chinese characters in UTF-8 against 1 damaged place")) {
            try TextDecoding.utf8Bytes(of: bytes)
        }
    }
}

/// A table for the terminal whose columns line up with Chinese text in them
/// (a CJK character takes two columns).
struct TextTable {
    /// How a column's cells sit in their width.
    enum Alignment { case left, right }

    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []
    /// Rows drawn under a rule at the bottom (totals).
    var footer: [[String]] = []

    init(headers: [String], alignments: [Alignment]) {
        self.headers = headers
        self.alignments = alignments
    }

    /// The table as lines of text, columns separated by two spaces. A line break or tab in a cell
    /// (an address typed over two lines) is shown as a space, so each row stays one line.
    func render() -> String {
        let rows = rows.map { $0.map(Self.oneLine) }
        let footer = footer.map { $0.map(Self.oneLine) }
        let all = [headers] + rows + footer
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        func line(_ row: [String]) -> String {
            var parts: [String] = []
            for (index, width) in widths.enumerated() {
                let cell = index < row.count ? row[index] : ""
                let padding = String(repeating: " ", count: max(0, width - DisplayWidth.of(cell)))
                let isLast = index == widths.count - 1
                switch alignments[index] {
                case .left: parts.append(isLast ? cell : cell + padding)
                case .right: parts.append(padding + cell)
                }
            }
            return parts.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        var lines = [line(headers), rule] + rows.map(line)
        if !footer.isEmpty {
            lines.append(rule)
            lines += footer.map(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `cell` with each line break (CRLF, LF, CR, and Unicode's) and tab as one space.
    static func oneLine(_ cell: String) -> String {
        guard cell.unicodeScalars.contains(where: { $0.properties.isWhitespace && $0 != " " }) else { return cell }
        var scalars = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in cell.unicodeScalars {
            defer { previous = scalar }
            if scalar == "\n" && previous == "\r" { continue }
            let isBreak = scalar == "\n" || scalar == "\r" || scalar == "\t" || scalar == "\u{0B}" || scalar == "\u{0C}"
                || scalar == "\u{85}" || scalar == "\u{2028}" || scalar == "\u{2029}"
            scalars.append(isBreak ? " " : scalar)
        }
        return String(scalars)
    }
}

/// How many terminal columns text takes.
enum DisplayWidth {
    /// Terminal columns of `text`: East Asian wide and fullwidth characters take two, combining marks none.
    static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        // Marks drawn on the character before them (Tibetan vowel signs and subjoined letters,
        // accents, Mongolian variation selectors) and invisible format characters take no column.
        if value >= 0x0300 {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format: return 0
            default: break
            }
        }
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return value < 0x20 ? 0 : 1
        }
    }
}

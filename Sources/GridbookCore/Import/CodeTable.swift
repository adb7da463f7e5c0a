/// A set of codes with a number for each (a county's household codes, by the million: each with
/// the line of the file it was first read on), kept as bytes in one buffer.
///
/// A `Set<String>` of a million 20-character codes took about 80 MB (a heap string each) and as
/// much again with a dictionary of the lines beside it; this takes about 30 MB, and a code is
/// looked up from the bytes of a CSV field without making a string.
struct CodeTable: Sendable {
    /// Every code's bytes, one after another.
    private var bytes: [UInt8] = []
    /// Where each code ends in `bytes` (code `i` starts where code `i - 1` ends).
    private var ends: [UInt32] = []
    private var values: [Int32] = []
    /// Open addressing: a code's index plus one, or 0 for an empty slot.
    private var slots: [UInt32]

    /// An empty table with room for about `capacity` codes before it grows.
    init(capacity: Int = 0) {
        slots = Array(repeating: 0, count: Self.slotCount(for: capacity))
    }

    /// The number of codes.
    var count: Int { ends.count }

    /// The value kept for `code`, or nil when the table does not hold it.
    func value(of code: UnsafeBufferPointer<UInt8>) -> Int32? {
        find(code).index.map { values[$0] }
    }

    /// The value kept for `code`, or nil when the table does not hold it.
    func value(of code: String) -> Int32? {
        var code = code
        return code.withUTF8 { value(of: $0) }
    }

    /// Whether the table holds `code`.
    func contains(_ code: String) -> Bool { value(of: code) != nil }

    /// Whether the table holds `code`.
    func contains(_ code: UnsafeBufferPointer<UInt8>) -> Bool { value(of: code) != nil }

    /// Adds `code` with `value`, or sets the value of the code already there.
    mutating func set(_ code: String, _ value: Int32) {
        var code = code
        code.withUTF8 { set($0, value) }
    }

    /// Adds `code` with `value`, or sets the value of the code already there.
    mutating func set(_ code: UnsafeBufferPointer<UInt8>, _ value: Int32) {
        let (slot, found) = find(code)
        if let found {
            values[found] = value
            return
        }
        bytes.append(contentsOf: code)
        ends.append(UInt32(bytes.count))
        values.append(value)
        slots[slot] = UInt32(ends.count)
        if ends.count * 4 > slots.count * 3 { rehash(Self.slotCount(for: ends.count * 2)) }
    }

    /// The slot that holds `code`, or the empty one where it would go, and its index when held.
    private func find(_ code: UnsafeBufferPointer<UInt8>) -> (slot: Int, index: Int?) {
        let mask = slots.count - 1
        var slot = Self.hash(code) & mask
        return bytes.withUnsafeBufferPointer { stored in
            while true {
                let entry = Int(slots[slot])
                if entry == 0 { return (slot, nil) }
                let index = entry - 1
                let start = index == 0 ? 0 : Int(ends[index - 1])
                let end = Int(ends[index])
                if end - start == code.count, code.elementsEqual(UnsafeBufferPointer(rebasing: stored[start..<end])) {
                    return (slot, index)
                }
                slot = (slot + 1) & mask
            }
        }
    }

    private mutating func rehash(_ count: Int) {
        slots = Array(repeating: 0, count: count)
        let mask = count - 1
        bytes.withUnsafeBufferPointer { stored in
            var start = 0
            for (index, end) in ends.enumerated() {
                var slot = Self.hash(UnsafeBufferPointer(rebasing: stored[start..<Int(end)])) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = UInt32(index + 1)
                start = Int(end)
            }
        }
    }

    /// A power of two with room for `count` codes at most three quarters full.
    private static func slotCount(for count: Int) -> Int {
        var slots = 16
        while slots * 3 < count * 4 { slots *= 2 }
        return slots
    }

    /// FNV-1a, with the high bits folded in (the table takes the low ones).
    private static func hash(_ code: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in code { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}

import Crypto

/// SHA-256 digests as text, from swift-crypto: how tokens, sign-in codes, sessions and Open311
/// requests are stored and matched (only the hash is kept).
enum SHA256Text {
    /// The digest of `text`'s UTF-8 bytes, as 64 lowercase hexadecimal characters.
    static func hex(_ text: String) -> String {
        // Every API request hashes its token: one buffer, no string per byte.
        let digits = Array("0123456789abcdef".utf8)
        let digest = Array(Crypto.SHA256.hash(data: Array(text.utf8)))
        return String(unsafeUninitializedCapacity: digest.count * 2) { buffer in
            for (index, byte) in digest.enumerated() {
                buffer[2 * index] = digits[Int(byte >> 4)]
                buffer[2 * index + 1] = digits[Int(byte & 0x0F)]
            }
            return digest.count * 2
        }
    }
}

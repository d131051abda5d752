// SHA-256 and MD5 through libsolv's checksum functions (`solv_chksum_*`), the only digest
// code on the machine that needs no extra package. The one file in Channels that calls them.

import CLibsolv

public enum DigestAlgorithm: String, Hashable, Sendable {
    case sha256, md5

    fileprivate var solvType: Id {
        switch self {
        case .sha256: return Id(REPOKEY_TYPE_SHA256.rawValue)
        case .md5: return Id(REPOKEY_TYPE_MD5.rawValue)
        }
    }
}

/// An incremental digest: feed bytes, then take the lowercase hex string.
public final class Digester {
    private var handle: OpaquePointer?
    public let algorithm: DigestAlgorithm

    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        handle = solv_chksum_create(algorithm.solvType)
    }

    deinit {
        if let handle { solv_chksum_free(handle, nil) }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let handle, let base = bytes.baseAddress, bytes.count > 0 else { return }
        var offset = 0
        // solv_chksum_add takes an Int32 length.
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 1 << 30)
            solv_chksum_add(handle, base + offset, Int32(chunk))
            offset += chunk
        }
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The hex digest; the digester cannot be fed afterwards.
    public func finalize() -> String {
        guard let handle else { return "" }
        var length: Int32 = 0
        guard let raw = solv_chksum_get(handle, &length) else { return "" }
        return Digester.hexString(Array(UnsafeBufferPointer(start: raw, count: Int(length))))
    }

    /// Bytes as lower-case hex (a digest stored as bytes, as CEP 16 shards store them).
    public static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func hex(_ algorithm: DigestAlgorithm, of bytes: [UInt8]) -> String {
        let digester = Digester(algorithm)
        digester.update(bytes)
        return digester.finalize()
    }
}

// A MessagePack decoder for CEP 16 sharded repodata (the shard index and the shards): one pass
// over the bytes, linear in their length. Limits: nesting 64 deep, 16 M items per array or map
// (a count larger than the bytes left is refused before anything is allocated), and every length
// checked against the bytes left. Extension types and timestamps are read and kept as opaque
// bytes; nothing here allocates more than the input justifies.

public indirect enum MessagePackValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case binary([UInt8])
    case array([MessagePackValue])
    case map([(key: MessagePackValue, value: MessagePackValue)])
    case ext(type: Int8, data: [UInt8])

    public static func == (a: MessagePackValue, b: MessagePackValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.uint(let x), .uint(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.binary(let x), .binary(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.map(let x), .map(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.ext(let t, let d), .ext(let u, let e)): return t == u && d == e
        default: return false
        }
    }

    /// The value of a string key in a map (the last one when repeated, as Python's dict).
    public subscript(key: String) -> MessagePackValue? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.last { $0.key == .string(key) }?.value
    }
}

public struct MessagePackError: Error, Hashable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let message: String
    public var description: String { "byte \(offset): \(message)" }
}

public enum MessagePack {
    static let maximumDepth = 64
    static let maximumItems = 1 << 24

    /// Decodes exactly one value that fills `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(MessagePackError) -> MessagePackValue {
        var reader = Reader(bytes: bytes)
        let value = try reader.value(depth: 0)
        guard reader.offset == bytes.count else {
            throw MessagePackError(offset: reader.offset, message: "trailing bytes after the value")
        }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func fail(_ message: String) -> MessagePackError { MessagePackError(offset: offset, message: message) }

        mutating func take(_ count: Int) throws(MessagePackError) -> ArraySlice<UInt8> {
            guard count >= 0, count <= bytes.count - offset else {
                throw fail("truncated: \(count) bytes wanted, \(bytes.count - offset) left")
            }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }

        mutating func unsigned(_ width: Int) throws(MessagePackError) -> UInt64 {
            var result: UInt64 = 0
            for b in try take(width) { result = result << 8 | UInt64(b) }
            return result
        }

        mutating func length(_ width: Int) throws(MessagePackError) -> Int {
            let n = try unsigned(width)
            guard n <= UInt64(bytes.count - offset) else {
                throw fail("a length of \(n) is longer than the \(bytes.count - offset) bytes left")
            }
            return Int(n)
        }

        /// A count of items, each at least one byte long.
        mutating func count(_ width: Int, perItem: Int) throws(MessagePackError) -> Int {
            let n = try unsigned(width)
            guard n <= UInt64(MessagePack.maximumItems), n * UInt64(perItem) <= UInt64(bytes.count - offset) else {
                throw fail("\(n) items cannot fit in the \(bytes.count - offset) bytes left")
            }
            return Int(n)
        }

        mutating func string(_ count: Int) throws(MessagePackError) -> MessagePackValue {
            let slice = try take(count)
            guard let text = String(validating: slice, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
            return .string(text)
        }

        mutating func array(_ count: Int, depth: Int) throws(MessagePackError) -> MessagePackValue {
            var items: [MessagePackValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try value(depth: depth + 1)) }
            return .array(items)
        }

        mutating func map(_ count: Int, depth: Int) throws(MessagePackError) -> MessagePackValue {
            var pairs: [(key: MessagePackValue, value: MessagePackValue)] = []
            pairs.reserveCapacity(count)
            for _ in 0..<count {
                let key = try value(depth: depth + 1)
                pairs.append((key, try value(depth: depth + 1)))
            }
            return .map(pairs)
        }

        mutating func value(depth: Int) throws(MessagePackError) -> MessagePackValue {
            guard depth < MessagePack.maximumDepth else {
                throw fail("nested more than \(MessagePack.maximumDepth) deep")
            }
            let head = try take(1).first!
            switch head {
            case 0x00...0x7f: return .uint(UInt64(head))
            case 0x80...0x8f: return try map(try countInline(Int(head & 0x0f), perItem: 2), depth: depth)
            case 0x90...0x9f: return try array(try countInline(Int(head & 0x0f), perItem: 1), depth: depth)
            case 0xa0...0xbf: return try string(Int(head & 0x1f))
            case 0xc0: return .null
            case 0xc2: return .bool(false)
            case 0xc3: return .bool(true)
            case 0xc4: return .binary(Array(try take(try length(1))))
            case 0xc5: return .binary(Array(try take(try length(2))))
            case 0xc6: return .binary(Array(try take(try length(4))))
            case 0xc7, 0xc8, 0xc9:
                let n = try length(head == 0xc7 ? 1 : head == 0xc8 ? 2 : 4)
                let type = Int8(bitPattern: try take(1).first!)
                return .ext(type: type, data: Array(try take(n)))
            case 0xca: return .double(Double(Float(bitPattern: UInt32(try unsigned(4)))))
            case 0xcb: return .double(Double(bitPattern: try unsigned(8)))
            case 0xcc: return .uint(try unsigned(1))
            case 0xcd: return .uint(try unsigned(2))
            case 0xce: return .uint(try unsigned(4))
            case 0xcf: return .uint(try unsigned(8))
            case 0xd0: return .int(Int64(Int8(truncatingIfNeeded: try unsigned(1))))
            case 0xd1: return .int(Int64(Int16(truncatingIfNeeded: try unsigned(2))))
            case 0xd2: return .int(Int64(Int32(truncatingIfNeeded: try unsigned(4))))
            case 0xd3: return .int(Int64(bitPattern: try unsigned(8)))
            case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
                let type = Int8(bitPattern: try take(1).first!)
                return .ext(type: type, data: Array(try take(1 << Int(head - 0xd4))))
            case 0xd9: return try string(try length(1))
            case 0xda: return try string(try length(2))
            case 0xdb: return try string(try length(4))
            case 0xdc: return try array(try count(2, perItem: 1), depth: depth)
            case 0xdd: return try array(try count(4, perItem: 1), depth: depth)
            case 0xde: return try map(try count(2, perItem: 2), depth: depth)
            case 0xdf: return try map(try count(4, perItem: 2), depth: depth)
            case 0xe0...0xff: return .int(Int64(Int8(bitPattern: head)))
            default: throw fail("0x\(String(head, radix: 16)) is not a MessagePack type")
            }
        }

        mutating func countInline(_ n: Int, perItem: Int) throws(MessagePackError) -> Int {
            guard n * perItem <= bytes.count - offset else {
                throw fail("\(n) items cannot fit in the \(bytes.count - offset) bytes left")
            }
            return n
        }
    }
}

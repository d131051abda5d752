// Which addresses a port is listening on, from the kernel's socket tables (/proc/net/tcp and
// tcp6), so a validation server's reach is checked, not assumed: azmlinfsrv binds 0.0.0.0
// whatever HOST says, and a server reachable from the network must not run a model's code.

import FoundationEssentials

enum ListeningSockets {
    struct Socket: Equatable {
        /// `127.0.0.1`, `0.0.0.0`, `::1`, `::`, or the hex the table holds for other IPv6.
        let address: String
        let port: Int
        let isLoopback: Bool
    }

    /// The listening TCP sockets on `port`.
    static func listening(on port: Int, tables: [String] = ["/proc/net/tcp", "/proc/net/tcp6"]) -> [Socket] {
        var result: [Socket] = []
        for table in tables {
            guard let data = FileManager.default.contents(atPath: table) else { continue }
            result += parse(String(decoding: data, as: UTF8.self)).filter { $0.port == port }
        }
        return result
    }

    /// The LISTEN rows (state 0A) of a /proc/net/tcp or tcp6 table.
    static func parse(_ text: String) -> [Socket] {
        var sockets: [Socket] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[3] == "0A" else { continue }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, let port = Int(local[1], radix: 16) else { continue }
            sockets.append(socket(hex: String(local[0]), port: port))
        }
        return sockets
    }

    private static func socket(hex: String, port: Int) -> Socket {
        if hex.count == 8, let value = UInt32(hex, radix: 16) {
            // Little-endian on x86: 0100007F is 127.0.0.1.
            let bytes = [value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF, value >> 24]
            return Socket(
                address: bytes.map(String.init).joined(separator: "."), port: port, isLoopback: bytes[0] == 127)
        }
        switch hex.uppercased() {
        case "00000000000000000000000001000000": return Socket(address: "::1", port: port, isLoopback: true)
        case "00000000000000000000000000000000": return Socket(address: "::", port: port, isLoopback: false)
        default:
            // ::ffff:127.x.y.z (an IPv4-mapped loopback) is loopback too.
            let upper = hex.uppercased()
            let mappedLoopback = upper.hasPrefix("0000000000000000FFFF0000") && upper.hasSuffix("7F")
            return Socket(address: upper, port: port, isLoopback: mappedLoopback)
        }
    }
}

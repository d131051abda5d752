// The kernel's socket table read as a validation run reads it: a server listening on all
// interfaces (IPv4 or IPv6) is not loopback; 127.0.0.1, ::1 and ::ffff:127.0.0.1 are.

import Testing

@testable import Emit

@Suite struct ListeningSocketsTests {
    // Rows in /proc/net/tcp and tcp6 form (local address, remote address, state 0A = LISTEN).
    static let tcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:7A69 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
           1: 00000000:7A6A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
           2: 0100007F:7A69 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
        """
    static let tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000001000000:7A6B 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0 100 0 0 10 0
           1: 00000000000000000000000000000000:7A6C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0 100 0 0 10 0
           2: 0000000000000000FFFF00000100007F:7A6D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1 0 100 0 0 10 0
        """

    @Test func listeningRowsAndTheirReach() {
        let v4 = ListeningSockets.parse(Self.tcp)
        #expect(
            v4 == [
                ListeningSockets.Socket(address: "127.0.0.1", port: 31337, isLoopback: true),
                ListeningSockets.Socket(address: "0.0.0.0", port: 31338, isLoopback: false)
            ])
        let v6 = ListeningSockets.parse(Self.tcp6)
        #expect(v6.map(\.address) == ["::1", "::", "0000000000000000FFFF00000100007F"])
        #expect(v6.map(\.isLoopback) == [true, false, true])
        #expect(v6.map(\.port) == [31339, 31340, 31341])
    }

    @Test func garbageRowsAreSkipped() {
        #expect(ListeningSockets.parse("header\n 0: nothing here\n 1: ZZ:QQ 0:0 0A\n").isEmpty)
        #expect(ListeningSockets.listening(on: 1, tables: ["/nonexistent/tcp"]).isEmpty)
    }
}

import CZlib

/// Raw DEFLATE (RFC 1951, no zlib header), as the HTTP-Redirect binding uses (SAML 2.0 Bindings §3.4.4.1).
enum RawDeflate {
    /// Largest inflated message accepted: a redirect-bound message is small, and a bomb must not grow.
    static let maximumInflatedSize = 256 * 1024

    static func compress(_ input: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard roster_deflate_init_raw(&stream) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let capacity = Int(deflateBound(&stream, uLong(input.count))) + 16
        return run(&stream, input, capacity: capacity) { deflate($0, Z_FINISH) }
    }

    static func decompress(_ input: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard roster_inflate_init_raw(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        return run(&stream, input, capacity: maximumInflatedSize) { inflate($0, Z_FINISH) }
    }

    /// Runs one whole-buffer zlib step; nil unless it ends the stream within `capacity` bytes.
    private static func run(
        _ stream: inout z_stream, _ input: [UInt8], capacity: Int, _ step: (UnsafeMutablePointer<z_stream>) -> Int32
    ) -> [UInt8]? {
        var input = input
        var output = [UInt8](repeating: 0, count: capacity)
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return withUnsafeMutablePointer(to: &stream, step)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        return Array(output.prefix(Int(stream.total_out)))
    }
}

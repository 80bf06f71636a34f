import CXMLSec
import Foundation

/// A parsed XML document from an untrusted source: no DTD, no entities, no network, bounded size.
///
/// The raw bytes are refused before libxml2 sees them when they declare a DOCTYPE (no entity, internal or
/// external, can then exist), and the parser runs with `XML_PARSE_NONET` and without entity substitution.
public final class XMLDocument: @unchecked Sendable {
    /// Largest document accepted.
    public static let maximumSize = 256 * 1024

    let pointer: xmlDocPtr

    /// Why a document was refused.
    public enum Refusal: Error, Sendable, Equatable {
        case tooLarge
        case doctypeDeclared
        case malformed
    }

    public init(bytes: [UInt8]) throws(Refusal) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge }
        if Self.declaresDoctype(bytes) { throw .doctypeDeclared }
        XMLSecurity.initialize()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { characters in
                    xmlReadMemory(characters, Int32(buffer.count), "untrusted.xml", nil, options)
                }
            }
        }
        guard let parsed else { throw .malformed }
        guard parsed.pointee.intSubset == nil, parsed.pointee.extSubset == nil, xmlDocGetRootElement(parsed) != nil else {
            xmlFreeDoc(parsed)
            throw .doctypeDeclared
        }
        pointer = parsed
    }

    deinit {
        xmlFreeDoc(pointer)
    }

    /// The root element's local name.
    public var rootName: String? {
        guard let root = xmlDocGetRootElement(pointer), let name = root.pointee.name else { return nil }
        return String(cString: name)
    }

    /// `<!DOCTYPE` anywhere outside a comment is refused; a cheap scan that needs no parser.
    static func declaresDoctype(_ bytes: [UInt8]) -> Bool {
        let marker = Array("<!doctype".utf8)
        guard bytes.count >= marker.count else { return false }
        for index in 0...(bytes.count - marker.count) where bytes[index] == UInt8(ascii: "<") {
            var matches = true
            for offset in 1..<marker.count {
                let byte = bytes[index + offset]
                let lower = (byte >= 65 && byte <= 90) ? byte + 32 : byte
                if lower != marker[offset] { matches = false; break }
            }
            if matches { return true }
        }
        return false
    }
}

/// One-time initialization of libxml2 and xmlsec with its OpenSSL backend.
public enum XMLSecurity {
    private static let initialized: Bool = {
        xmlInitParser()
        guard xmlSecInit() >= 0 else { return false }
        guard xmlSecOpenSSLAppInit(nil) >= 0 else { return false }
        guard xmlSecOpenSSLInit() >= 0 else { return false }
        // Failures surface as typed SAMLFailures with their reason; xmlsec's own stderr trace would only be noise.
        xmlSecErrorsDefaultCallbackEnableOutput(0)
        return true
    }()

    /// Initializes the libraries once; false when xmlsec could not start.
    @discardableResult
    public static func initialize() -> Bool { initialized }

    /// The linked xmlsec version, for diagnostics.
    public static var version: String { XMLSEC_VERSION }
}

extension XMLDocument {
    var root: XMLNode? { xmlDocGetRootElement(pointer).map(XMLNode.init) }

    /// Registers every `ID` attribute so that signature references resolve; false when an ID repeats (a
    /// signature-wrapping tell).
    func registerIDs() -> Bool {
        guard let root else { return false }
        var seen = Set<String>()
        for element in [root] + root.descendants {
            guard let id = element.attribute("ID") else { continue }
            guard seen.insert(id).inserted else { return false }
            guard let attribute = xmlHasProp(element.pointer, "ID") else { continue }
            if xmlGetID(pointer, id) == nil { xmlAddID(nil, pointer, id, attribute) }
        }
        return true
    }

    /// The element an ID was registered for.
    func element(withID id: String) -> XMLNode? {
        guard let attribute = xmlGetID(pointer, id), let parent = attribute.pointee.parent else { return nil }
        return XMLNode(pointer: parent)
    }
}

import CXMLSec

/// Read-only helpers over libxml2 element nodes. Nodes are only valid while their `XMLDocument` lives.
struct XMLNode: @unchecked Sendable, Equatable {
    let pointer: xmlNodePtr

    static let samlProtocol = "urn:oasis:names:tc:SAML:2.0:protocol"
    static let samlAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
    static let xmlDSig = "http://www.w3.org/2000/09/xmldsig#"

    var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }

    var localName: String { pointer.pointee.name.map { String(cString: $0) } ?? "" }

    var namespace: String? {
        guard let ns = pointer.pointee.ns, let href = ns.pointee.href else { return nil }
        return String(cString: href)
    }

    func `is`(_ name: String, in namespace: String) -> Bool {
        isElement && localName == name && self.namespace == namespace
    }

    /// Element children, in document order.
    var children: [XMLNode] {
        var result: [XMLNode] = []
        var child = pointer.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(XMLNode(pointer: current)) }
            child = current.pointee.next
        }
        return result
    }

    func children(_ name: String, in namespace: String) -> [XMLNode] {
        children.filter { $0.is(name, in: namespace) }
    }

    func child(_ name: String, in namespace: String) -> XMLNode? {
        children(name, in: namespace).first
    }

    var parent: XMLNode? {
        guard let parent = pointer.pointee.parent, parent.pointee.type == XML_ELEMENT_NODE else { return nil }
        return XMLNode(pointer: parent)
    }

    /// An attribute without a namespace.
    func attribute(_ name: String) -> String? {
        guard let value = xmlGetNoNsProp(pointer, name) else { return nil }
        defer { roster_xml_free(value) }
        return String(cString: value)
    }

    /// Every element below this one, depth first.
    var descendants: [XMLNode] {
        var result: [XMLNode] = []
        var stack = children.reversed() as [XMLNode]
        while let next = stack.popLast() {
            result.append(next)
            stack.append(contentsOf: next.children.reversed())
        }
        return result
    }

    /// The text of an element whose only children are text nodes; nil when it holds a comment, a processing
    /// instruction, an entity reference or an element, so `a@x.com<!---->.evil.com` can never be read as
    /// `a@x.com`.
    var pureText: String? {
        var text = ""
        var child = pointer.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            default:
                return nil
            }
            child = current.pointee.next
        }
        return text
    }
}

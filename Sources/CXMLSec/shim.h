#ifndef ROSTER_CXMLSEC_SHIM_H
#define ROSTER_CXMLSEC_SHIM_H

// Debian's libxml2 headers include ICU, whose module clashes with Foundation's on Linux:
// read the version header first and switch ICU off before anything else includes it.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

// SwiftPM drops the -D flags of `pkg-config --cflags xmlsec1-openssl`; they are part of the library's ABI
// (xmlSecSize is `unsigned int` under XMLSEC_NO_SIZE_T), so they are repeated here exactly.
#define __XMLSEC_FUNCTION__ __func__
#define XMLSEC_NO_SIZE_T 1
#define XMLSEC_OPENSSL3_ENGINES 1
#define XMLSEC_NO_GOST 1
#define XMLSEC_NO_GOST2012 1
#define XMLSEC_NO_CRYPTO_DYNAMIC_LOADING 1
#define XMLSEC_CRYPTO_OPENSSL 1

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/version.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>

// xmlFree is a global function pointer, which Swift 6 cannot read safely; call it through a function.
static inline void roster_xml_free(void *pointer) {
    xmlFree(pointer);
}

#endif

# SPDX-License-Identifier: AGPL-3.0-or-later
"""Office documents made byte by byte for the safe-viewing tests, and whether
LibreOffice is installed (then cutout converts them: docs/safe-viewing.md)."""
import io
import os
import zipfile

OFFICE = os.access("/usr/lib/libreoffice/program/soffice.bin", os.X_OK)


def zipped(files, first=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if first:
            z.writestr(zipfile.ZipInfo(first[0]), first[1], compress_type=zipfile.ZIP_STORED)
        for name, data in files:
            z.writestr(name, data)
    return buf.getvalue()


def docx():
    """A minimal WordprocessingML document LibreOffice opens: HELLO, large and red."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    return zipped([
        ("[Content_Types].xml",
         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
         'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
         'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" ContentType="application/'
         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        ("_rels/.rels",
         '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
         '</Relationships>'),
        ("word/document.xml",
         '<?xml version="1.0"?><w:document xmlns:w="' + w + '"><w:body><w:p><w:r><w:rPr>'
         '<w:color w:val="DC1414"/><w:sz w:val="400"/></w:rPr><w:t>HELLO</w:t></w:r></w:p>'
         '</w:body></w:document>'),
    ])


def odt():
    """A minimal OpenDocument text LibreOffice opens: one paragraph."""
    return zipped([
        ("META-INF/manifest.xml",
         '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
         'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
         'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
         '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
         '</manifest:manifest>'),
        ("content.xml",
         '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
         'opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
         'text:1.0" office:version="1.2"><office:body><office:text><text:p>hello</text:p>'
         '</office:text></office:body></office:document-content>')],
        first=("mimetype", "application/vnd.oasis.opendocument.text"))

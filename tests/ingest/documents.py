"""Small real documents with Vietnamese text, made in the tests: a news page (.html), a Word
file (.docx, written with python-docx) and a PDF.

No PDF writer is a dependency, so ``make_pdf`` writes a minimal PDF 1.4 by hand: one
TrueType font (DejaVu Sans by name, not embedded) whose single-byte codes are given glyph
names (/Differences) and a /ToUnicode map, which is what text extraction reads, so pypdf gets
exactly the Vietnamese characters back. Each page is a list of lines; lines of one paragraph
are wrapped by the caller, paragraphs are separated by an empty line (extra vertical space).
"""
from __future__ import annotations

import io
import zlib
from typing import Sequence

HTML_TITLE = "Phường Đông Sơn khánh thành nhà văn hóa tổ dân phố Tân Lập"
HTML_PAGE = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{HTML_TITLE} - Báo Thanh Hóa</title>
<meta property="og:title" content="{HTML_TITLE}">
<meta property="article:published_time" content="2025-12-05T08:30:00+07:00">
</head><body>
<header><nav><a href="/">Trang chủ</a> | <a href="/thoi-su">Thời sự</a> | <a href="/kinh-te">Kinh tế</a>
| <a href="/xa-hoi">Xã hội</a> | <a href="/the-thao">Thể thao</a></nav></header>
<aside class="sidebar"><h3>Tin đọc nhiều</h3><ul>
<li><a href="/a">Giá vàng hôm nay tăng mạnh phiên đầu tuần</a></li>
<li><a href="/b">Thời tiết Thanh Hóa: mưa rào vài nơi</a></li></ul></aside>
<article>
<h1>{HTML_TITLE}</h1>
<p class="time">05/12/2025 08:30</p>
<p>Sáng 5/12, Đảng ủy, UBND phường Đông Sơn tổ chức lễ khánh thành nhà văn hóa tổ dân phố Tân Lập.
Công trình được xây dựng trên diện tích 1.200 m2 với tổng kinh phí 3,2 tỷ đồng.</p>
<p>Quang cảnh lễ khánh thành nhà văn hóa tổ dân phố Tân Lập.</p>
<h2>Nhân dân cùng góp sức</h2>
<p>Trong đó, Nhân dân tổ dân phố Tân Lập đóng góp 1,1 tỷ đồng và hiến 300 m2 đất.
Phần còn lại do ngân sách phường hỗ trợ.</p>
<p>Phát biểu tại buổi lễ, lãnh đạo phường đề nghị tổ dân phố quản lý, sử dụng hiệu quả công trình.
Nhà văn hóa sẽ là nơi sinh hoạt cộng đồng của hơn 450 hộ dân.</p>
<p>Quốc Hương</p>
</article>
<div class="share">Chia sẻ: Facebook | Zalo | In bài viết</div>
<div class="comments"><h3>Bình luận</h3><p>Bạn đọc Minh: Công trình rất ý nghĩa!</p></div>
<footer><p>© 2025 Báo Thanh Hóa. Giấy phép số 123/GP-BTTTT. Địa chỉ: 123 Đại lộ Lê Lợi.</p></footer>
</body></html>
"""

DOCX_TITLE = "NGHỊ QUYẾT về nhiệm vụ phát triển kinh tế - xã hội phường Quảng Phú năm 2026"
DOCX_PARAGRAPHS = (
    "ĐẢNG BỘ PHƯỜNG QUẢNG PHÚ",
    "Quảng Phú, ngày 20 tháng 11 năm 2025",
    "Hội đồng nhân dân phường Quảng Phú khóa I, kỳ họp thứ hai đã thảo luận và thống nhất các chỉ "
    "tiêu chủ yếu năm 2026.",
    "Tốc độ tăng giá trị sản xuất đạt 12,5%; thu nhập bình quân đầu người đạt 78 triệu đồng/năm.",
    "Tỷ lệ hộ nghèo giảm còn 0,9%; 100% tổ dân phố có nhà văn hóa đạt chuẩn.",
)
DOCX_TABLE = (("Chỉ tiêu", "Năm 2026"), ("Thu ngân sách", "85 tỷ đồng"))
DOCX_BYLINE = "Nguyễn Văn Hùng - Chủ tịch HĐND phường"


def make_docx(title: str = DOCX_TITLE, paragraphs: Sequence[str] = DOCX_PARAGRAPHS,
              table: Sequence[Sequence[str]] = DOCX_TABLE, byline: str | None = DOCX_BYLINE) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(paragraphs[0])
    document.add_paragraph(paragraphs[1])
    document.add_heading(title, level=1)
    document.add_paragraph("")  # empty paragraphs are not numbered
    for text in paragraphs[2:]:
        document.add_paragraph(text)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    if byline:
        document.add_paragraph(byline)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


PDF_TITLE = "BÁO CÁO kết quả thực hiện nhiệm vụ năm 2025 của phường Quang Trung"
# (page, lines): a paragraph's lines follow each other, "" separates paragraphs
PDF_PAGES: tuple[tuple[str, ...], ...] = (
    (
        PDF_TITLE,
        "",
        "Quang Trung, ngày 15 tháng 12 năm 2025",
        "",
        "Năm 2025, Đảng bộ và Nhân dân phường Quang Trung đã đoàn kết, nỗ lực vượt qua khó khăn,",
        "hoàn thành và vượt 18 trên 20 chỉ tiêu chủ yếu mà Nghị quyết Đại hội đã đề ra. Tổng thu",
        "ngân sách trên địa bàn đạt 96,4 tỷ đồng, bằng 112% dự toán.",
        "",
        "1. Thu nhập bình quân đầu người đạt 82 triệu đồng, tăng 9% so với năm 2024.",
        "2. Tỷ lệ hộ nghèo giảm còn 0,45%.",
        "",
        "Công tác cải cách hành chính được chú trọng; 100% hồ sơ được giải quyết đúng hạn, trong đó có",
        "nhiều hồ sơ được trả kết quả trực tuyến",
    ),
    (
        "qua Cổng dịch vụ công quốc gia.",
        "",
        "Năm 2026, phường phấn đấu thu ngân sách đạt 105 tỷ đồng và hoàn thành 3 công trình trọng điểm.",
        "",
        "Lê Thị Thu Hà - Bí thư Đảng ủy phường",
    ),
)


def _cmap(codes: dict[str, int]) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<00> <FF>", "endcodespacerange"]
    pairs = sorted((code, ch) for ch, code in codes.items())
    for i in range(0, len(pairs), 100):
        chunk = pairs[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:02X}> <{ord(ch):04X}>" for code, ch in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def make_pdf(pages: Sequence[Sequence[str]] = PDF_PAGES, title: str | None = None) -> bytes:
    """A PDF whose pages show ``pages`` (lines; "" = paragraph gap), text extractable as Unicode."""
    codes: dict[str, int] = {chr(c): c for c in range(32, 127)}
    next_code = 128
    for ch in sorted({ch for page in pages for line in page for ch in line}):
        if ch not in codes:
            assert next_code < 256, "too many distinct characters for one single-byte font"
            codes[ch] = next_code
            next_code += 1
    differences = " ".join(f"{code} /uni{ord(ch):04X}" for ch, code in codes.items() if code >= 128)

    def encode(line: str) -> bytes:
        raw = bytes(codes[ch] for ch in line)
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes) -> bytes:
        packed = zlib.compress(data)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"

    catalog = add(b"")  # filled in below
    pages_obj = add(b"")
    tounicode = add(stream(_cmap(codes)))
    font = add((
        "<< /Type /Font /Subtype /TrueType /BaseFont /DejaVuSans /FirstChar 32 /LastChar 255 "
        f"/Widths [{' '.join(['550'] * 224)}] "
        f"/Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [{differences}] >> "
        f"/ToUnicode {tounicode} 0 R >>"
    ).encode("ascii"))
    kids = []
    for page in pages:
        ops = [b"BT", b"/F1 10 Tf", b"12 TL", b"50 800 Td"]
        for line in page:
            ops.append(b"T*" if not line else b"(" + encode(line) + b") Tj T*")
        ops.append(b"ET")
        content = add(stream(b"\n".join(ops)))
        kids.append(add((f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 595 842] "
                         f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>").encode()))
    objects[pages_obj - 1] = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                              f"/Count {len(kids)} >>").encode()
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode()
    info = None
    if title is not None:
        info = add(b"<< /Title <FEFF" + title.encode("utf-16-be").hex().upper().encode() + b"> >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root {catalog} 0 R" + (f" /Info {info} 0 R" if info else "") + " >>"
    out += b"trailer\n" + trailer.encode() + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)

"""Source files as users bring them, made by the real tools (python-docx, reportlab) in the test."""

from __future__ import annotations

import io

# A work summary as it appears in the sources: a committee line, then paragraphs.
SUMMARY = (
    "盖州市人大常委会\n"
    "今年以来，盖州市人大常委会在市委的坚强领导下，紧扣全市发展大局，依法履职、担当作为。\n"
    "数字赋能创新突破。建成“数字人大”平台，代表履职、议案建议办理全程线上留痕，2025年累计"
    "受理群众意见建议126条（一）。\n"
)
SUMMARY_TRADITIONAL = (
    "蓋州市人大常委會\n"
    "今年以來，蓋州市人大常委會在市委的堅強領導下，緊扣全市發展大局，依法履職、擔當作為。\n"
)

ARTICLE_TITLE = "履职担当促发展 砥砺奋进谱新篇"
ARTICLE_PARAGRAPHS = (
    "岁序更替，华章日新。回望2025年，安州区人大常委会在安州区委的坚强领导和市人大常委会的"
    "有力指导下，紧紧围绕全区发展大局，认真履行宪法法律赋予的职责。",
    "一年来，安州区人大常委会召开常委会会议11次、主任会议15次，听取审议专项工作报告47个，"
    "开展执法检查2次、专题询问1次。",
    "## 把稳方向之舵 在忠诚履职中彰显政治担当",
    "常委会始终将坚持党的全面领导作为最高政治原则，严格落实“第一议题”制度，全年组织各类"
    "学习研讨活动16次。",
    "## 答好监督之卷 在担当作为中助推高质量发展",
    "聚焦经济运行、财政预算、国有资产管理等重点领域，听取审议计划执行、预算调整等报告，"
    "推动政府依法理财。",
)


def news_page(meta: str = '<meta charset="utf-8">') -> str:
    """A page saved from a Chinese news site: the article sits among navigation and debris."""
    paragraphs = [
        f"<h2>{p[3:]}</h2>" if p.startswith("## ") else f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS
    ]
    paragraphs.insert(
        3,
        '<figure><img src="/img/1.jpg" alt="视察"><figcaption>河清镇人大组织代表视察'
        "河清菜市场改建项目实施情况。</figcaption></figure>"
        '<script>showAd("inline");</script>',
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>{meta}<title>{ARTICLE_TITLE}_绵阳新闻网</title>
<script>var _hmt = _hmt || []; document.write("统计代码");</script>
<style>.nav {{ color: red }}</style></head>
<body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/">新闻</a></li>
<li><a href="/rd/">人大</a></li><li><a href="/zx/">政协</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/news/">新闻中心</a> &gt; 正文</div>
<div class="main"><div class="article">
<h1>{ARTICLE_TITLE}</h1>
<div class="info">来源：绵阳日报　发布时间：2026-01-05 09:30
<span class="share">分享到：微信 微博 QQ空间</span></div>
<!-- 正文开始 -->
<div class="content" id="article-content">
{"".join(paragraphs)}
</div>
<!-- 正文结束 -->
<div class="share-bar">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
</div>
<div class="sidebar"><h3>相关新闻</h3><ul>
<li><a href="/a/1.html">涪城区人大常委会召开第三十次会议</a></li>
<li><a href="/a/2.html">游仙区人大代表开展集中视察活动</a></li>
<li><a href="/a/3.html">江油市人大常委会开展执法检查</a></li></ul></div>
</div>
<div class="footer"><p>版权所有：绵阳新闻网　备案号：蜀ICP备12345678号</p>
<p>联系我们 | 关于我们 | 网站地图</p></div>
</body></html>
"""


def make_docx() -> bytes:
    """A Word file: title, headings, paragraphs, an empty line and a table with a merged cell."""
    import docx

    document = docx.Document()
    document.add_heading("营口市各县（市）区人大2025年工作亮点", level=0)
    document.add_heading("盖州市人大常委会", level=1)
    document.add_paragraph("　　今年以来，盖州市人大常委会紧扣全市发展大局，依法履职。")
    document.add_paragraph("")
    document.add_heading("（一）强化监督实效", level=2)
    document.add_paragraph("听取审议专项工作报告12个，开展执法检查3次。")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "会议"
    table.cell(0, 1).text = "次数"
    table.cell(0, 2).text = "备注"
    table.cell(1, 0).text = "常委会会议"
    table.cell(1, 1).merge(table.cell(1, 2)).text = "11次"
    document.add_paragraph("数字赋能创新突破。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX_TEXT = (
    "## 营口市各县（市）区人大2025年工作亮点\n\n"
    "## 盖州市人大常委会\n\n"
    "今年以来，盖州市人大常委会紧扣全市发展大局，依法履职。\n\n"
    "## （一）强化监督实效\n\n"
    "听取审议专项工作报告12个，开展执法检查3次。\n\n"
    "会议\n\n次数\n\n备注\n\n常委会会议\n\n11次\n\n"
    "数字赋能创新突破。\n"
)


def make_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages hold these lines in reportlab's built-in Chinese CID font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=True)
    for lines in pages:
        pdf.setFont("STSong-Light", 12)
        for number, line in enumerate(lines):
            pdf.drawString(72, 760 - 18 * number, line)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_locked_pdf(user_password: str) -> bytes:
    """An encrypted PDF; with an empty user password anyone may open it, as readers do."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    lock = StandardEncryption(user_password, ownerPassword="owner", canCopy=0)
    pdf = canvas.Canvas(out, invariant=True, encrypt=lock)
    pdf.drawString(72, 760, "Work report 2025")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_scanned_pdf() -> bytes:
    """A scan: each page is a picture of text, with no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(picture).rectangle((20, 20, 380, 40), fill=0)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=True)
    pdf.drawImage(ImageReader(picture), 72, 500, width=400, height=200)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def hand_made_pdf(*objects: bytes) -> bytes:
    """A PDF written object by object with a correct xref table, to make broken structures."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)

"""Demo articles of the portal, published through the editorial workflow (draft → review → published)."""

from __future__ import annotations

from fupin.core.permissions import SYSTEM
from fupin.portal import services
from fupin.portal.models import Article
from fupin.regions.models import Region

ARTICLES = [
    ("news", "怒江州网络公益扶贫行动启动", "多家互联网企业与泸水市签订结对帮扶协议，首批帮扶需求在门户公开。",
     "近日，怒江州网络公益扶贫行动在泸水市启动。多家互联网企业与泸水市及所辖贫困村签订结对帮扶协议，承诺在消费帮扶、就业和培训等方面持续投入。\n\n"
     "首批经乡镇审核、农户本人同意公开的帮扶需求同步在门户上线，网友可以认捐，每一笔到账和拨付都在公开账目中列明。"),
    ("news", "泸水市电商服务站实现乡镇全覆盖", "乡镇电商服务站全部建成，农产品可追溯。",
     "泸水市各乡镇电商服务站全部建成运营，草果、蜂蜜等农产品通过示范网店销售，消费者扫码即可查看产地信息。"),
    ("policy", "关于做好网络公益扶贫信息公开工作的通知", "帮扶需求公开须经农户同意，个人信息最小化。",
     "一、帮扶需求公开前须取得农户书面同意，明确公开内容；农户可随时撤回同意。\n\n二、公开信息仅限村名和姓氏等农户同意的内容，不公开身份证号、电话、详细住址和人脸照片。\n\n"
     "三、捐赠资金到账和拨付须登记流水号和凭证，拨付不得超过到账金额。"),
    ("policy", "企业结对帮扶季度报告填报说明", "按季度填报资金、采购、就业和培训完成情况。",
     "结对企业每季度末填报资金投入、农产品采购、吸纳就业和开展培训的完成情况，县扶贫办审核后在门户公开。"),
    ("case", "一户养蜂家庭的脱贫路", "在网友认捐和合作社指导下，一户家庭发展中蜂养殖，年增收逾万元。",
     "在网友认捐的蜂箱和合作社的技术指导下，这户家庭发展中蜂养殖，当年收获蜂蜜三百余斤，通过示范网店销售，增收一万余元。"),
]


def create() -> int:
    county = Region.objects.filter(code="533301").first()
    n = 0
    for category, title, summary, body in ARTICLES:
        if Article.objects.filter(title=title).exists():
            continue
        a = services.save_article(actor=SYSTEM, title=title, summary=summary, body=body, category=category,
                                  region=county)
        services.submit_article(actor=SYSTEM, article=a)
        services.review_article(actor=SYSTEM, article=a, publish=True)
        n += 1
    return n

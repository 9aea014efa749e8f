"""Demo articles of the portal, published through the editorial workflow (draft → review → published); a draft and
an article awaiting review (the editor's and the county's workbench); messages from the public waiting for the
demo township's answer, one of them late."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from fupin.core.permissions import SYSTEM
from fupin.core.tree import subtree_bounds
from fupin.portal import services
from fupin.portal.models import Article, Feedback
from fupin.regions.models import Region
from fupin.registry.models import Household

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


UNFINISHED = [  # (title, summary, body, sent for review)
    ("泸水市召开网络扶贫工作推进会", "部署年底前电商服务站运营提升和信息服务站建设。",
     "近日，泸水市召开网络扶贫工作推进会，部署年底前电商服务站运营提升、村级信息服务站建设和网络公益扶贫需求公开工作。（草稿，待补充图片）",
     False),
    ("片马镇草果产业带动农户增收", "合作社统一收购、示范网店销售，带动农户户均增收。",
     "片马镇草果种植农户通过合作社统一收购、示范网店线上销售，今年户均增收两千余元。", True),
]
FEEDBACK = [  # (kind, text, days ago)
    ("report", "（演示）反映村里低保评议没有张榜公示，希望核实。", 20),
    ("feedback", "（演示）请问家里孩子读高中的助学补助怎么申请？", 3),
]


def _unfinished(county: Region | None) -> int:
    n = 0
    for title, summary, body, submit in UNFINISHED:
        if Article.objects.filter(title=title).exists():
            continue
        a = services.save_article(actor=SYSTEM, title=title, summary=summary, body=body, category="news",
                                  region=county)
        if submit:
            services.submit_article(actor=SYSTEM, article=a)
        n += 1
    return n


def _feedback(county: Region | None) -> int:
    """Messages to the township of the county's village with the most households (the demo township)."""
    if county is None or Feedback.objects.filter(text__startswith="（演示）").exists():
        return 0
    busiest = (Household.objects.filter(village__code__range=subtree_bounds(county.code)).values("village_id")
               .annotate(n=Count("id")).order_by("-n", "village_id").first())
    if busiest is None:
        return 0
    village = Region.objects.get(code=busiest["village_id"])
    for kind, text, days in FEEDBACK:
        fb = services.send_feedback(kind=kind, village_or_township=village, text=text)
        # sent weeks ago (demo only: backdated with an UPDATE, so that one answer is late)
        Feedback.objects.filter(pk=fb.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return len(FEEDBACK)


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
    _unfinished(county)
    _feedback(county)
    return n

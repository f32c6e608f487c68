"""Does one mention look like spam or a bot? Follow-for-follow, crypto and money-making bait,
giveaways and promotions behind a link, and text that is mostly repeated characters or handles.

Floods of near-identical mentions are a property of many mentions, detected elsewhere.
"""

import re
from collections import Counter

_LINK = re.compile(
    r"https?://|www\.|\bbit\.ly/|\bt\.me/|\b\w+\.(?:xyz|top|biz|shop|io|cc|app)\b", re.IGNORECASE
)
_BAIT = re.compile(
    r"\b(?:f4f|follow ?4 ?follow|follow ?back|followback|follow for follow|gain \d+\+? followers"
    r"|\d+ (?:real )?followers|hot singles|passive income|work ?from ?home|make money"
    r"|earn \$\d+|paid to (?:tweet|post)|forex|airdrop|nft mint|whitelist"
    r"|(?:bitcoin|btc|crypto|eth)\b.{0,40}\b(?:double|doubling|free|giveaway|invest|claim))"
    r"|맞팔|선팔|팔로워 ?\d+|수익률|월 ?\d+ ?수익|부업|리딩방|에어드랍|광고\)",
    re.IGNORECASE,
)
_PROMO = re.compile(
    r"\b(?:free|win|giveaway|earn|money|cash|crypto|bitcoin|btc|promo code|discount|\d+% off"
    r"|click|claim|dm me|sign up|subscribe|cheap|deal|congratulations|selected|limited time"
    r"|link in (?:my )?bio|whatsapp|telegram|guaranteed)\b"
    r"|무료|당첨|상품권|클릭|특가|최저가|수익|카톡|텔레그램|보장",
    re.IGNORECASE,
)
_RUN = re.compile(r"(.)\1{4,}")
_HANDLE = re.compile(r"@\w+")
_WORD = re.compile(r"[^\W\d_]{3,}")


def looks_like_spam(text: str) -> bool:
    if _BAIT.search(text):
        return True
    promotions = len(_PROMO.findall(text))
    if promotions >= 3 or (promotions >= 2 and _LINK.search(text)):
        return True
    return _mostly_repetition(text)


def _mostly_repetition(text: str) -> bool:
    """Runs of one character with hardly a real word beside them, or one handle over and over."""
    if _RUN.search(text) and len(_WORD.findall(_RUN.sub("", text))) < 2:
        return True
    handles = Counter(handle.lower() for handle in _HANDLE.findall(text))
    return bool(handles) and max(handles.values()) >= 4

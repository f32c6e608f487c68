"""The phrases that signal each intent, per language (English and Korean).

Each cue is a regular expression; the classifier (``intent.py``) decides how they combine with
sentiment. English cues match case-insensitively on word boundaries; Korean cues match anywhere,
since Korean attaches particles and endings to the word.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Cues:
    problem: re.Pattern[str]
    """A first-hand problem or bad experience: something broke, never came, cost too much."""
    resolved: re.Pattern[str]
    """A problem that has been put right, which turns a problem report into thanks."""
    question: re.Pattern[str]
    purchase: re.Pattern[str]
    feature: re.Pattern[str]
    churn: re.Pattern[str]
    praise: re.Pattern[str]
    thanks: re.Pattern[str]
    """Gratitude: praise on its own, but mere politeness next to a question or a complaint."""


def _english(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


def _with_emoji(words: re.Pattern[str], emoji: str) -> re.Pattern[str]:
    return re.compile(f"{words.pattern}|{emoji}", words.flags)


def _korean(*phrases: str) -> re.Pattern[str]:
    return re.compile("|".join(phrases), re.IGNORECASE)


_NOT = r"(?:not|never|no longer|isn'?t|aren'?t|wasn'?t|doesn'?t|don'?t|didn'?t|won'?t|can'?t|cannot|couldn'?t|hasn'?t|haven'?t|wouldn'?t)"  # noqa: E501
_FAILS = r"(?:work\w*|load\w*|open\w*|arrive\w*|deliver\w*|receive\w*|respond\w*|answer\w*|connect\w*|download\w*|play\w*|validat\w*|fix\w*|resolv\w*|heard|show\w*|let me|allow\w*|find|get (?:through|past)|access|help\w*|turn\w* on|make a reservation)"  # noqa: E501

ENGLISH = Cues(
    problem=_with_emoji(
        _english(
            rf"{_NOT}\W+(?:\w+\W+){{0,4}}(?:{_FAILS}|anymore|any more)",
            r"no (?:internet|service|signal|power|wifi|connection|reply|refund)",
            r"prices? (?:keeps? )?(?:going|gone|went) up|too expensive|overpriced|disappeared",
            r"return(?:ing)? (?:the|my|it|this)|make it easy",
            r"where(?: is|'s) my|still (?:haven't|hasn't|not|no|waiting|broken|can't|won't)",
            r"keeps? (?:crashing|freezing|dropping|failing|asking|telling)|shouldn't have to",
            r"\d+ ?(?:hours?|hrs?|mins?|minutes|days) (?:late|delay\w*|on hold|waiting)|worse",
            r"unreliable|ignor\w*|unfair|not fair|complain\w*|slow|sick of|tired of|charging me",
            r"broken|broke|crash\w*|froze|frozen|freez\w*|stuck|errors?|glitch\w*|bug\w*|outages?",
            r"is down|went down|dropped calls?|(?<!thing )missing|lost(?! (?:me as )?a customer)",
            r"damaged|late|delay\w*|cancell?ed",
            r"over ?charg\w*|charg\w* (?:me )?(?:twice|double|\w+ times)|false charge|refund\w*",
            r"on hold|hold for|disconnect\w*|hung up|hangs up",
            r"(?:still |keep )waiting|wait\w* (?:for|on)",
            r"still no|no one|nobody|no response|no resolution|no answer",
            r"useless|worst|terrible|horrible|awful|poor|rude|ridiculous|unacceptable",
            r"disappoint\w*|frustrat\w*|fed up|scam|fraud\w*|nasty|suck\w*|ruin\w*|wast\w*",
            r"fix (?:your|it|this|my|the)|never (?:got|received|arrived|came)|not happy",
            r"angry|upset|screw\w* up|mess\w* up|food poisoning",
            r"fuck\w*|wtf|shit\w*|pissed|noisy|weird noise|leak\w*|stopped \w+ing|hate",
            r"issues?|problems?|trouble|incorrect|wrong|fail\w*|unable",
            r"why (?:does|do|have|is|are) (?:you|my)",
        ),
        "😠|😡|🤬|👎|😤|💔|😩",
    ),
    resolved=_english(
        r"fix(?:ed|ing)|resolved|solved|replaced|sorted|got (?:it|my \w+) back|helped (?:me|us)",
    ),
    question=_english(
        r"(?:^|[.!]\s+)(?:how|what|when|where|why|which|who|whats|any (?:word|update|way|idea))",
        r"(?:^|[.!]\s+)(?:can|could|would|will|is|are|do|does|did|should|has|have) "
        r"(?:you|u|i|we|there|it|this|that|they|someone|anyone)",
    ),
    purchase=_english(
        r"(?:want(?:ed)?|going|gonna|plan\w*|looking|ready|about|like|love|hoping|trying) to"
        r" (?:buy|order|book|get one|purchase|upgrade|sign up|subscribe|switch to)",
        r"thinking (?:of|about) (?:getting|buying|ordering|booking)|considering (?:buying|getting)",
        r"how much (?:is|are|does|do|for|would)|where (?:can|do) i (?:buy|get|order|purchase)",
        r"pre-?order\w*|take my money|back in stock|in stock",
        r"add(?:ed)? \w+(?: \w+)? to (?:my )?cart",
        r"can'?t wait to (?:fly|try|get|buy|order)|buy (?:one|two|three|it)|any (?:\w+ )?deals?",
        r"black friday|(?:option|way|where) to (?:buy|book|order|purchase)",
    ),
    feature=_english(
        r"please (?:add|bring back|make|let us|allow|support|consider|offer)",
        r"would (?:be|love) (?:nice|great|cool|awesome|helpful)|would love (?:a|an|to see|it if)",
        r"it would be (?:nice|great|cool|awesome|helpful)|be nice (?:if|to)",
        r"wish (?:you|there|it|the|i could|they)|(?:you )?should (?:add|offer|have a|let|allow)",
        r"bring back|feature request|why not|can you (?:add|make|support|bring)|any plans to",
        r"only thing missing|one thing missing|add (?:an?|the) (?:option|button|setting|feature)",
        r"should be a way|let us \w+",
    ),
    churn=_english(
        r"never (?:again|fly\w*|buy\w*|us\w*|order\w*|shop\w*|book\w*|will i)",
        r"(?:cancel\w*|clos\w*|terminat\w*) (?:my|the) (?:account|membership|subscription|plan|"
        r"contract|service)",
        r"cancel my \w+ membership|cancel\w* my \w+ subscription|lost (?:me as )?a customer",
        r"(?<!looking to )switch(?:ing)? (?:to|providers|carriers)|switching|i'?m done|im done",
        r"done with|going back to|moving to (?:a )?(?:competitor|another)|last time i",
        r"(?:won'?t|will not|not going to) (?:renew|be back|buy|fly|use)|getting rid of my",
        r"don'?t want to use|goodbye|leaving (?:you|for)|close my account",
        r"no longer (?:fly|use|buy|shop)",
    ),
    praise=_with_emoji(
        _english(
            r"love|loving|luv|great|amazing|awesome|excellent|fantastic|wonderful|brilliant|perfect",
            r"best|delicious|sweet|happy|glad|impressed|superb|kudos|shout ?out|good job",
            r"well done|helpful|friendly|really good|looks great|enjoy",
            r"(?<!you )recommend|gorgeous|so excited",
        ),
        "😍|💕|❤️|🥰|👍|🙌",
    ),
    thanks=_english(r"thanks?|thank you|thx|ty|cheers|appreciate\w*"),
)

KOREAN = Cues(
    problem=_korean(
        r"안\s?[가-힣]+(?:았|었|갔|왔|났|됐|했|졌)|\d+\s?(?:일|주|달|시간)째|안\s?와|안\s?왔|안\s?오|안\s?돼|안\s?되|안\s?됐|안\s?됩|않아|않습|않네|않고",
        r"고장|불량|환불|최악|짜증|느려|오류|에러|두 번 결제|이중 결제|중복 결제|아직도",
        r"연락이 없|연락도 없|답이 없|답변이 없|응답이 없|문제|불편|실망|깨져|깨졌|파손|누락",
        r"다른 제품|잘못|먹통|끊겨|끊겼|끊어|튕겨|튕김|이상한|이상해|이상합|새서|새요|샙니다",
        r"불친절|밍밍|그대로|찌그러|화나|화가|별로|엉망|늦어|늦게|지연|없어요|없네요",
    ),
    resolved=_korean(r"해결해|교환해|고쳐|수리해 주"),
    question=_korean(
        r"나요|까요|습니까|니까|인가요|는가요|던가요|는지요|건가요|어떻게 (?:해야|하나|되나)"
    ),
    purchase=_korean(
        r"사고 싶|살까|살게요|살 거|구매하려|구매할|구매 예정|구매하고 싶|주문하려|주문할 예정",
        r"주문하고 싶|가격이? 얼마|얼마인가요|얼마예요|재입고|재고|사전\s?예약|구독 서비스 가입",
        r"가입하고 싶|구입하려|구입하고 싶|바로 구매|하나 살",
    ),
    feature=_korean(
        r"추가해\s?주|있었으면|했으면|으면 좋겠|면 좋겠|생겼으면|지원해\s?주|넣어\s?주|만들어\s?주",
        r"다시 출시|기능이? (?:있|생)|있게 해\s?주|바랍니다",
    ),
    churn=_korean(
        r"해지(?!\s*말고)|탈퇴|해약|갈아타|갈아탈|다른 (?:브랜드|회사|제품|통신사|곳)(?:로|으로)",
        r"다시는|안 쓸|안 살|안 삽니다|그만 쓸|끊을|경쟁사|연장 안|쓸 이유가 없",
    ),
    praise=_korean(
        r"최고|좋아요|좋네요|좋습니다|만족|훌륭|맛있|친절하게|추천했|추천해요|추천합니다",
        r"예쁘|행복|잘한 일|빨라서|사랑",
    ),
    thanks=_korean(r"감사|고마워|고맙"),
)

CUES = {"en": ENGLISH, "ko": KOREAN}

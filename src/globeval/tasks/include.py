"""INCLUDE (Romanou et al. 2024, arXiv 2411.19799): regional-knowledge exam questions in 44 languages.

Data: CohereForAI/include-base-44 (~550 per language) and CohereForAI/include-lite-44; configs are
English language names. Two schemas are in circulation and both load: `choices` (a list, or a
string-encoded list) with an answer index (early revision), or option_a..option_d with an answer
index (later revision).
Protocol: lm-evaluation-harness's include tasks —
  prompt  "{question.strip()}\\nA. {a}\\nB. {b}\\nC. {c}\\n D. {d}\\nAnswer:" (the space before "D."
          is in lm-eval's YAML and in published numbers), choices " A".." D";
  description per domain, prepended with no separator as lm-eval 0.4.13 does:
          0-shot English "The following is multiple-choice question about {domain}.",
          k-shot English "The following are multiple-choice questions (with answers) about {domain}.",
          in-language: the sample language's translation of the latter (instruction_language=native);
  k-shot  drawn with lm-eval's seeded sampler from the same language's test items of the same
          domain. lm-eval 0.4.13 can draw the evaluated item itself as an example; globeval
          excludes it by default (fewshot_exclude_self=false reproduces lm-eval exactly).
Generative formulation: total accuracy counts format errors as wrong; answer accuracy excludes them.
Groupings: domain, regional_feature, level.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from globeval.data.errors import DataError, at
from globeval.data.files import Row
from globeval.data.hub import DatasetRef, load_split
from globeval.requests import Request, Result
from globeval.tasks.base import Sample, Scored, Task
from globeval.tasks.global_mmlu import bundled_dir
from globeval.tasks.multiple_choice import (
    DEFAULT_INSTRUCTION,
    Question,
    build_requests,
    fewshot_block,
    lm_eval_random_fewshot,
    question_text,
    score_choice,
)

#: config name -> ISO 639-1 code
LANGUAGE_CODES: dict[str, str] = {
    "Albanian": "sq", "Arabic": "ar", "Armenian": "hy", "Azerbaijani": "az", "Basque": "eu",
    "Belarusian": "be", "Bengali": "bn", "Bulgarian": "bg", "Chinese": "zh", "Croatian": "hr",
    "Dutch": "nl", "Estonian": "et", "Finnish": "fi", "French": "fr", "Georgian": "ka",
    "German": "de", "Greek": "el", "Hebrew": "he", "Hindi": "hi", "Hungarian": "hu",
    "Indonesian": "id", "Italian": "it", "Japanese": "ja", "Kazakh": "kk", "Korean": "ko",
    "Lithuanian": "lt", "Malay": "ms", "Malayalam": "ml", "Nepali": "ne", "North Macedonian": "mk",
    "Persian": "fa", "Polish": "pl", "Portuguese": "pt", "Russian": "ru", "Serbian": "sr",
    "Spanish": "es", "Tagalog": "tl", "Tamil": "ta", "Telugu": "te", "Turkish": "tr",
    "Ukrainian": "uk", "Urdu": "ur", "Uzbek": "uz", "Vietnamese": "vi",
}  # fmt: skip

DESCRIPTION_ZERO_SHOT = "The following is multiple-choice question about {domain}."
DESCRIPTION_FEW_SHOT = "The following are multiple-choice questions (with answers) about {domain}."

#: the in-language descriptions of lm-eval's include few_shot_og tasks, one template per language
NATIVE_DESCRIPTIONS: dict[str, str] = {
    "Albanian": "Më poshtë janë pyetjet me zgjedhje të shumëfishta (me përgjigje) rreth {domain}.",
    "Arabic": "فيما يلي أسئلة اختيارية متعددة (مع الإجابات) حول {domain}.",
    "Armenian": "Ստորև բերված են բազմակի ընտրության հարցեր (պատասխաններով) {domain}-ի վերաբերյալ:",
    "Azerbaijani": "Aşağıdakılar {domain} haqqında çoxseçimli suallardır (cavabları ilə).",
    "Basque": "Honako hauek aukera anitzeko galderak dira (erantzunekin) {domain}-i buruz.",
    "Belarusian": "Ніжэй прыведзены пытанні з некалькімі варыянтамі адказаў (з адказамі) пра {domain}.",
    "Bengali": "নিম্নলিখিতগুলি {domain} সম্পর্কে বহু-পছন্দের প্রশ্ন (উত্তর সহ)।",
    "Bulgarian": "Следват въпроси с избираем отговор (с отговори) за {domain}.",
    "Chinese": "以下是关于 {domain} 的多项选择题（附答案）。",
    "Croatian": "Slijede pitanja s višestrukim izborom (s odgovorima) o {domain}.",
    "Dutch": "Hieronder staan \u200b\u200bmeerkeuzevragen (met antwoorden) over {domain}.",
    "Estonian": "Järgmised on valikvastustega küsimused (koos vastustega) teemal {domain}.",
    "Finnish": "Seuraavat ovat monivalintakysymyksiä (vastauksineen) aiheesta {domain}.",
    "French": "Les questions suivantes sont à choix multiples (avec réponses) sur {domain}.",
    "Georgian": "ქვემოთ მოცემულია რამდენიმე არჩევანის კითხვები (პასუხებით) {domain}-ის შესახებ.",
    "German": "Nachfolgend finden Sie Multiple-Choice-Fragen (mit Antworten) zu {domain}.",
    "Greek": "Ακολουθούν ερωτήσεις πολλαπλής επιλογής (με απαντήσεις) σχετικά με το {domain}.",
    "Hebrew": "להלן שאלות ברירות רבות (עם תשובות) על {domain}.",
    "Hindi": "निम्नलिखित {domain} के बारे में बहुविकल्पीय प्रश्न (उत्तर सहित) हैं।",
    "Hungarian": "Az alábbiak feleletválasztós kérdések (válaszokkal) a következővel kapcsolatban: {domain}.",
    "Indonesian": "Berikut ini adalah pertanyaan pilihan ganda (dengan jawaban) tentang {domain}.",
    "Italian": "Di seguito sono riportate domande a scelta multipla (con risposte) su {domain}.",
    "Japanese": "以下は、{domain} に関する複数選択の質問（回答付き）です。",
    "Kazakh": "Төменде {domain} туралы бірнеше таңдаулы сұрақтар (жауаптары бар) берілген.",
    "Korean": "다음은 {domain}에 대한 객관식 질문(답변 포함)입니다.",
    "Lithuanian": "Toliau pateikiami klausimai su atsakymų variantais (su atsakymais) apie {domain}.",
    "Malay": "Berikut ialah soalan aneka pilihan (dengan jawapan) tentang {domain}.",
    "Malayalam": "ഇനിപ്പറയുന്നവ {domain} നെക്കുറിച്ചുള്ള മൾട്ടിപ്പിൾ ചോയ്\u200cസ് ചോദ്യങ്ങളാണ് (ഉത്തരങ്ങളോടെ).",
    "Nepali": "निम्न {domain} को बारेमा बहु-छनौट प्रश्नहरू (उत्तरहरू सहित) छन्।",
    "North Macedonian": "Следниве се прашања со повеќекратен избор (со одговори) за {domain}.",
    "Persian": "در زیر سؤالات چند گزینه ای (همراه با پاسخ) در مورد {domain} آمده است.",
    "Polish": "Poniżej znajdują się pytania wielokrotnego wyboru (z odpowiedziami) na temat {domain}.",
    "Portuguese": "A seguir estão perguntas de múltipla escolha (com respostas) sobre {domain}.",
    "Russian": "Ниже приведены вопросы с несколькими вариантами ответов (с ответами) по теме {domain}.",
    "Serbian": "Следе питања са вишеструким избором (са одговорима) о {domain}.",
    "Spanish": "Las siguientes son preguntas de opción múltiple (con respuestas) sobre {domain}.",
    "Tagalog": "Ang mga sumusunod ay maramihang pagpipiliang tanong (na may mga sagot) tungkol sa {domain}.",
    "Tamil": "பின்வருபவை {domain} பற்றிய பல தேர்வு கேள்விகள் (பதில்களுடன்) உள்ளன.",
    "Telugu": "{domain} గురించిన బహుళ-ఎంపిక ప్రశ్నలు (సమాధానాలతో) క్రిందివి.",
    "Turkish": "Aşağıda {domain} ile ilgili çoktan seçmeli sorular (cevaplarıyla birlikte) bulunmaktadır.",
    "Ukrainian": "Нижче наведено запитання з кількома варіантами відповідей (з відповідями) про {domain}.",
    "Urdu": "ذیل میں {domain} کے بارے میں متعدد انتخابی سوالات (جوابات کے ساتھ) ہیں۔",
    "Uzbek": "Quyida {domain} boʻyicha koʻp tanlovli savollar (javoblari bilan) keltirilgan.",
    "Vietnamese": "Sau đây là các câu hỏi trắc nghiệm (có đáp án) về {domain}.",
}
#: where a translated description spells a domain differently from the data
NATIVE_DOMAIN_SPELLING: dict[tuple[str, str], str] = {
    ("Hebrew", "Driving License"): "Driving license"
}


@dataclass(frozen=True, slots=True)
class IncludeItem(Question):
    domain: str
    subject: str
    regional_feature: str
    level: str
    country: str


def _choices(row: Row) -> tuple[str, ...]:
    data = row.data
    if all(f"option_{c}" in data for c in "abcd"):
        for c in "abcd":
            if data[f"option_{c}"] is None:
                raise DataError(f"{at(row.source, row.index, f'option_{c}')}: value is empty")
        return tuple(str(data[f"option_{c}"]) for c in "abcd")
    if "choices" in data:
        raw = data["choices"]
        if isinstance(raw, str):
            try:
                raw = ast.literal_eval(raw)
            except (ValueError, SyntaxError) as exc:
                raise DataError(
                    f"{at(row.source, row.index, 'choices')}: not a list literal"
                ) from exc
        if not isinstance(raw, list | tuple) or len(raw) < 2:
            raise DataError(f"{at(row.source, row.index, 'choices')}: expected a list of options")
        return tuple(str(c) for c in raw)
    raise DataError(
        f"{at(row.source, row.index)}: missing columns: need option_a..option_d or choices"
    )


def parse_row(row: Row) -> IncludeItem:
    data = row.data
    for column in ("question", "answer"):
        if column not in data or data[column] is None:
            raise DataError(f"{at(row.source, row.index)}: missing column {column!r}")
    choices = _choices(row)
    try:
        answer = int(str(data["answer"]).strip())
    except ValueError as exc:
        raise DataError(
            f"{at(row.source, row.index, 'answer')}: {data['answer']!r} is not an option index"
        ) from exc
    if not 0 <= answer < len(choices):
        raise DataError(
            f"{at(row.source, row.index, 'answer')}: index {answer} is outside 0-{len(choices) - 1}"
        )
    return IncludeItem(
        question=str(data["question"]),
        choices=choices,
        answer=answer,
        domain=str(data.get("domain") or ""),
        subject=str(data.get("subject") or ""),
        regional_feature=str(data.get("regional_feature") or ""),
        level=str(data.get("level") or ""),
        country=str(data.get("country") or ""),
    )


class Include(Task):
    name: ClassVar[str] = "include"
    title: ClassVar[str] = "INCLUDE base (44 languages, regional knowledge)"
    dataset: ClassVar[str] = "CohereForAI/include-base-44"
    #: no verified commit is known to globeval; the manifest records the resolved commit
    revision: ClassVar[str] = "main"
    languages: ClassVar[tuple[str, ...]] = tuple(LANGUAGE_CODES)
    group_fields: ClassVar[tuple[str, ...]] = ("domain", "regional_feature", "level")
    task_args: ClassVar[dict[str, str]] = {
        "instruction_language": "en (default) or native: the description's language",
        "fewshot_exclude_self": "true (default); false reproduces lm-eval 0.4.13's draw exactly",
        "instruction": "generative formulation: the instruction placed before the question",
    }
    bundled: ClassVar[str] = "include_base_44"

    def configs(self) -> list[str]:
        by_code = {code: name for name, code in LANGUAGE_CODES.items()}
        wanted = self.options.languages or list(LANGUAGE_CODES)
        out = []
        for lang in wanted:
            name = by_code.get(lang) or next(
                (n for n in LANGUAGE_CODES if n.lower() == lang.lower()), None
            )
            if name is None:
                raise DataError(
                    f"{self.name}: unknown language {lang!r}; use a config name or ISO code: "
                    + ", ".join(f"{n} ({c})" for n, c in LANGUAGE_CODES.items())
                )
            out.append(name)
        return out

    def description(self, config: str, domain: str) -> str:
        native = str(self.options.task_args.get("instruction_language", "en")).lower()
        if native not in ("en", "native"):
            raise DataError(f"{self.name}: instruction_language must be en or native")
        if native == "native":
            template = NATIVE_DESCRIPTIONS.get(config)
            if template is None:
                raise DataError(f"{self.name}: no in-language description for {config}")
            return template.format(domain=NATIVE_DOMAIN_SPELLING.get((config, domain), domain))
        template = DESCRIPTION_FEW_SHOT if self.options.num_fewshot else DESCRIPTION_ZERO_SHOT
        return template.format(domain=domain)

    def load(self) -> tuple[list[Sample], dict[str, Any]]:
        data_dir: Path | None = (
            bundled_dir(self.bundled) if self.options.sample else self.options.data_dir
        )
        revision = self.options.revision or self.revision
        configs = self.configs()
        if self.options.sample and data_dir is not None:
            available = {p.name for p in data_dir.iterdir() if p.is_dir()}
            configs = [c for c in configs if c in available]
        exclude_self = bool(self.options.task_args.get("fewshot_exclude_self", True))
        provenance: dict[str, Any] = {"dataset": self.dataset, "revision": revision, "splits": []}
        samples: list[Sample] = []
        for config in configs:
            split = load_split(DatasetRef(self.dataset, config, "test", revision), data_dir)
            provenance["splits"].append(split.origin)
            rows = [(row, parse_row(row)) for row in split.rows]
            items = [item for _, item in rows]
            shots: list[list[IncludeItem]] = [[] for _ in items]
            k = self.options.num_fewshot
            if k:
                for domain in dict.fromkeys(item.domain for item in items):
                    idx = [i for i, it in enumerate(items) if it.domain == domain]
                    pool = [items[i] for i in idx]
                    if len(pool) < k + (1 if exclude_self else 0):
                        raise DataError(
                            f"{config}: domain {domain!r} has {len(pool)} items, too few for "
                            f"{k}-shot examples"
                        )
                    draws = lm_eval_random_fewshot(
                        pool, pool, k, seed=self.options.seed, exclude_self=exclude_self
                    )
                    for i, drawn in zip(idx, draws, strict=True):
                        shots[i] = drawn
            for n, ((row, item), examples) in enumerate(zip(rows, shots, strict=True)):
                if self.options.limit is not None and n >= self.options.limit:
                    break
                samples.append(
                    Sample(
                        id=f"{config}/{row.index}",
                        language=LANGUAGE_CODES[config],
                        config=config,
                        source=row.source,
                        row=row.index,
                        payload=(item, tuple(examples)),
                        groups={
                            "domain": item.domain,
                            "regional_feature": item.regional_feature,
                            "level": item.level,
                        },
                    )
                )
        provenance["num_fewshot"] = self.options.num_fewshot
        provenance["fewshot_exclude_self"] = exclude_self
        return samples, provenance

    def requests(self, sample: Sample) -> list[Request]:
        item, examples = sample.payload
        block = fewshot_block(examples, self.description(sample.config, item.domain), " ")
        instruction = str(self.options.task_args.get("instruction", DEFAULT_INSTRUCTION))
        return build_requests(
            block + question_text(item, d_prefix=" "),
            len(item.choices),
            self.options.formulation,
            self.options.chat,
            instruction,
            self.options.max_gen_tokens,
            shared=len(block),
        )

    def score(
        self, sample: Sample, requests: Sequence[Request], results: Sequence[Result]
    ) -> Scored:
        item, _ = sample.payload
        return score_choice(sample, item, requests, results)


class IncludeLite(Include):
    name: ClassVar[str] = "include_lite"
    title: ClassVar[str] = "INCLUDE lite (44 languages, ~250 per language)"
    dataset: ClassVar[str] = "CohereForAI/include-lite-44"

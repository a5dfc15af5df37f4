"""Quiz questions. Each question and each choice keeps the stable id Wagtail gives stream and list
items, so answers and attempts refer to them even after an editor reorders or rewords them."""

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail import blocks

from cms.blocks import RICH_TEXT_FEATURES


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Choice"), max_length=500)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)


class QuestionBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("Question"))
    choices = blocks.ListBlock(ChoiceBlock(), label=_("Choices"), min_num=2)
    explanation = blocks.RichTextBlock(
        label=_("Explanation"),
        features=RICH_TEXT_FEATURES,
        required=False,
        help_text=_("Shown after the learner submits."),
    )

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        if correct == 0 or (self.single_answer and correct != 1):
            message = (
                _("Mark exactly one correct choice.") if self.single_answer else _("Mark at least one correct choice.")
            )
            raise blocks.StructBlockValidationError(
                block_errors={"choices": blocks.ListBlockValidationError(non_block_errors=[ValidationError(message)])}
            )
        return value


class SingleChoiceQuestionBlock(QuestionBlock):
    single_answer = True

    class Meta:
        icon = "radio-full"
        label = _("Single-choice question")
        template = "courses/blocks/question.html"
        preview_value = {
            "question": "Bạo lực trên cơ sở giới chỉ xảy ra với phụ nữ?",
            "choices": [{"text": "Đúng", "correct": False}, {"text": "Sai", "correct": True}],
            "explanation": "<p>Bất kỳ ai cũng có thể bị bạo lực vì giới của mình.</p>",
        }


class MultipleChoiceQuestionBlock(QuestionBlock):
    single_answer = False

    class Meta:
        icon = "tick-inverse"
        label = _("Multiple-choice question")
        template = "courses/blocks/question.html"
        preview_value = {
            "question": "Những hành vi nào là bạo lực?",
            "choices": [
                {"text": "Đánh đập", "correct": True},
                {"text": "Kiểm soát tiền bạc", "correct": True},
                {"text": "Hỏi ý kiến trước khi quyết định", "correct": False},
            ],
            "explanation": "",
        }


class QuizBlock(blocks.StreamBlock):
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()


def stored_question(text, choices, kind="single_choice", explanation=""):
    """One quiz question as the StreamField stores it; `choices` are (text, correct) pairs.

    Used where questions are written by code (the demo loader, tests); ids are fresh UUIDs.
    """
    return {
        "type": kind,
        "id": str(uuid.uuid4()),
        "value": {
            "question": text,
            "choices": [
                {"type": "item", "id": str(uuid.uuid4()), "value": {"text": choice, "correct": correct}}
                for choice, correct in choices
            ],
            "explanation": explanation,
        },
    }

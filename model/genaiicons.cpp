#include "model/genaiicons.h"

#include <QCoreApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace {

QPixmap paint(GenAi::SpanRole role, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.scale(size / 16.0, size / 16.0);
    p.setPen(Qt::NoPen);
    switch (role) {
    case GenAi::SpanRole::LlmCall: {
        // A speech bubble with three dots.
        QPainterPath bubble;
        bubble.addRoundedRect(QRectF(1, 2, 14, 10), 3, 3);
        QPolygonF tail;
        tail << QPointF(4, 11) << QPointF(4, 15) << QPointF(8, 11);
        bubble.addPolygon(tail);
        p.setBrush(QColor(0x7e, 0x57, 0xc2));
        p.drawPath(bubble.simplified());
        p.setBrush(Qt::white);
        for (double x : { 5.0, 8.0, 11.0 })
            p.drawEllipse(QPointF(x, 7), 1.2, 1.2);
        break;
    }
    case GenAi::SpanRole::ToolCall: {
        // A wrench: a handle and an open ring.
        p.setBrush(QColor(0xe6, 0x7e, 0x00));
        p.drawEllipse(QRectF(0.5, 0.5, 15, 15));
        QPen handle(Qt::white, 2.2, Qt::SolidLine, Qt::RoundCap);
        p.setPen(handle);
        p.drawLine(QPointF(5, 11), QPointF(9.5, 6.5));
        p.setPen(QPen(Qt::white, 1.8));
        p.setBrush(Qt::NoBrush);
        p.drawArc(QRectF(8.5, 3.2, 4.5, 4.5), -45 * 16, 270 * 16);
        break;
    }
    case GenAi::SpanRole::Agent: {
        // A robot face: head, antenna, eyes, mouth.
        p.setBrush(QColor(0x00, 0x89, 0x7b));
        p.drawRoundedRect(QRectF(1.5, 4, 13, 11), 3, 3);
        p.drawRect(QRectF(7.3, 1, 1.4, 3));
        p.drawEllipse(QPointF(8, 1.5), 1.4, 1.4);
        p.setBrush(Qt::white);
        p.drawEllipse(QPointF(5.5, 8.5), 1.5, 1.5);
        p.drawEllipse(QPointF(10.5, 8.5), 1.5, 1.5);
        p.drawRect(QRectF(5, 11.5, 6, 1.2));
        break;
    }
    case GenAi::SpanRole::None:
        break;
    }
    return pixmap;
}

} // namespace

namespace GenAiIcons {

QIcon icon(GenAi::SpanRole role)
{
    if (role == GenAi::SpanRole::None)
        return QIcon();
    static QIcon icons[3];
    QIcon& icon = icons[int(role) - 1];
    if (icon.isNull()) {
        icon.addPixmap(paint(role, 16));
        icon.addPixmap(paint(role, 32));
    }
    return icon;
}

QString roleName(GenAi::SpanRole role)
{
    switch (role) {
    case GenAi::SpanRole::LlmCall:
        return QCoreApplication::translate("GenAiIcons", "LLM call");
    case GenAi::SpanRole::ToolCall:
        return QCoreApplication::translate("GenAiIcons", "Tool call");
    case GenAi::SpanRole::Agent:
        return QCoreApplication::translate("GenAiIcons", "Agent");
    case GenAi::SpanRole::None:
        break;
    }
    return QString();
}

} // namespace GenAiIcons
